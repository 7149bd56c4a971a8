//! The language server's stdio transport: `lsp-server`'s framing, with every size bounded. A
//! message's `Content-Length` is read before anything is allocated for it, and a message larger
//! than [`MAX_MESSAGE`] is refused: the client is told why (`window/showMessage`) and the server
//! exits cleanly, since the stream cannot be trusted to line up again.

use lsp_server::{Connection, Message, Notification};
use std::io::{self, BufRead, Read as _, Write as _};
use std::thread;

/// The largest message read: far above any packet an editor sends (a `handoff.md` is capped at
/// a few MiB), far below what would exhaust memory.
pub const MAX_MESSAGE: usize = 64 << 20;

/// The longest header line, and the most header lines, of one message.
const MAX_HEADER_LINE: u64 = 1024;
const MAX_HEADERS: usize = 32;

/// Why the language server stopped.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// A thread of the transport could not be started.
    #[error("{0}")]
    Thread(#[source] io::Error),
    /// The thread reading stdin panicked.
    #[error("the reader panicked")]
    ReaderPanicked,
    /// The thread writing stdout panicked.
    #[error("the writer panicked")]
    WriterPanicked,
    /// Reading stdin or writing stdout failed, or a message was refused.
    #[error("{0}")]
    Io(#[source] io::Error),
    /// The server's capabilities could not be written as JSON.
    #[error("{0}")]
    Json(#[source] serde_json::Error),
    /// The client broke the protocol before the handshake was done.
    #[error("{0}")]
    Protocol(#[source] lsp_server::ProtocolError),
}

/// The transport's threads, to join once the connection is dropped.
pub struct Io {
    reader: thread::JoinHandle<io::Result<()>>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl Io {
    /// Wait for both threads; the reader's error, if any, says why the input stopped.
    pub fn join(self) -> Result<(), LspError> {
        let reader = self.reader.join().map_err(|_| LspError::ReaderPanicked)?;
        let writer = self.writer.join().map_err(|_| LspError::WriterPanicked)?;
        reader.map_err(LspError::Io)?;
        writer.map_err(LspError::Io)
    }
}

/// A connection over stdin and stdout.
pub fn stdio() -> Result<(Connection, Io), LspError> {
    let (writer_tx, writer_rx) = crossbeam_channel::bounded::<Message>(0);
    let writer = thread::Builder::new()
        .name("handoff-lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            writer_rx.into_iter().try_for_each(|m| m.write(&mut out))
        })
        .map_err(LspError::Thread)?;
    let (reader_tx, reader_rx) = crossbeam_channel::bounded::<Message>(0);
    let notify = writer_tx.clone();
    let reader = thread::Builder::new()
        .name("handoff-lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            let result = pump(&mut input, &reader_tx);
            if let Err(e) = &result {
                let _ = notify.send(Message::Notification(Notification::new(
                    "window/showMessage".into(),
                    serde_json::json!({ "type": 1, "message": format!("handoff lsp stops: {e}") }),
                )));
            }
            drop(notify);
            result
        })
        .map_err(LspError::Thread)?;
    Ok((
        Connection {
            sender: writer_tx,
            receiver: reader_rx,
        },
        Io { reader, writer },
    ))
}

/// Read messages and hand them on until the input ends, `exit` arrives or a message is refused.
fn pump(input: &mut impl BufRead, to: &crossbeam_channel::Sender<Message>) -> io::Result<()> {
    while let Some(body) = read_body(input)? {
        let msg: Message = serde_json::from_slice(&body).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message is not JSON-RPC: {e}"),
            )
        })?;
        let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
        if to.send(msg).is_err() || exit {
            break;
        }
    }
    Ok(())
}

/// One message's body: its headers read a bounded line at a time, then exactly `Content-Length`
/// bytes, allocated only once the length is known to be within [`MAX_MESSAGE`]. `None` at the
/// end of the input.
pub fn read_body(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    for n in 0.. {
        if n > MAX_HEADERS {
            return Err(bad(format!(
                "a message has more than {MAX_HEADERS} header lines"
            )));
        }
        line.clear();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return if n == 0 {
                Ok(None)
            } else {
                Err(bad("the input ended inside a message's headers".into()))
            };
        }
        if line.last() != Some(&b'\n') {
            return Err(bad(format!(
                "a header line is longer than {MAX_HEADER_LINE} bytes"
            )));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(bad(format!("a header line is not `Name: value`: {text:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            let size: u128 = value
                .parse()
                .map_err(|_| bad(format!("Content-Length is not a number: {value:?}")))?;
            if size > MAX_MESSAGE as u128 {
                return Err(bad(format!(
                    "a message of {size} bytes is larger than the {} MiB a message may be",
                    MAX_MESSAGE >> 20
                )));
            }
            length = Some(size as usize);
        }
    }
    let length = length.ok_or_else(|| bad("a message has no Content-Length header".into()))?;
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// `body` framed as the protocol sends it.
pub fn frame(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_framed_messages_and_refuses_oversized_ones_before_allocating() {
        let two = [frame("{\"a\":1}"), frame("[]")].concat();
        let mut input = &two[..];
        assert_eq!(read_body(&mut input).unwrap().unwrap(), b"{\"a\":1}");
        assert_eq!(read_body(&mut input).unwrap().unwrap(), b"[]");
        assert!(read_body(&mut input).unwrap().is_none());
        for size in [
            "99999999999999",
            "2000000000",
            "340282366920938463463374607431768211456",
        ] {
            let text = format!("Content-Length: {size}\r\n\r\n{{}}");
            let err = read_body(&mut text.as_bytes()).unwrap_err().to_string();
            assert!(
                err.contains("larger than") || err.contains("not a number"),
                "{err}"
            );
        }
        let long = format!("X: {}\r\n", "y".repeat(5000));
        assert!(read_body(&mut long.as_bytes()).is_err());
        assert!(read_body(&mut "Content-Length: 10\r\n\r\n{}".as_bytes()).is_err());
        assert!(read_body(&mut "Content-Type: x\r\n\r\n{}".as_bytes()).is_err());
    }
}
