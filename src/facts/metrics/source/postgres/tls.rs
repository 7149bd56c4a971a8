//! TLS to PostgreSQL as libpq does it, on rustls: what `sslmode` checks of the server's
//! certificate, against which roots (`sslrootcert`, else the platform's trusted roots and
//! Mozilla's), and, when the check fails, which certificate failed and which setting fixes it.

use super::conninfo::{Roots, SslMode};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use std::sync::{Arc, Mutex};

/// A CA file is read up to this size (a bundle of every public CA is about 250 KiB).
const MAX_ROOTS_BYTES: u64 = 4 * 1024 * 1024;

/// What failed in a handshake, told by the verifier to whoever reports the connection error.
pub(super) type Failure = Arc<Mutex<Option<(String, String)>>>;

/// The client configuration for `mode` and `roots`, and where a failed check is described.
// ring is the provider already in the build (through ureq); its lack of post-quantum key
// exchange, the reason it is marked deprecated, does not matter for a KPI query.
#[allow(deprecated)]
pub(super) fn config(
    mode: SslMode,
    roots: &Roots,
) -> Result<(rustls::ClientConfig, Failure), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let check = match (mode, roots) {
        (SslMode::VerifyFull, _) => Check::ChainAndName,
        (SslMode::VerifyCa, _) => Check::Chain,
        // As libpq: a CA file named makes `prefer` and `require` check the chain.
        (SslMode::Prefer | SslMode::Require, Roots::File(_)) => Check::Chain,
        _ => Check::Nothing,
    };
    let (inner, trusted) = if check == Check::Nothing {
        (None, String::new())
    } else {
        let (store, trusted) = root_store(roots)?;
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
                .build()
                .map_err(|e| format!("no usable CA certificate in {trusted}: {e}"))?;
        (Some(verifier), trusted)
    };
    let failure: Failure = Arc::new(Mutex::new(None));
    let verifier = Arc::new(Verifier {
        check,
        mode,
        inner,
        trusted,
        provider: provider.clone(),
        failure: failure.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok((config, failure))
}

/// The trusted roots, and how to name them in a message.
fn root_store(roots: &Roots) -> Result<(RootCertStore, String), String> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let shown = format!("sslrootcert={}", crate::support::paths::shown(path));
            let bytes = read_bounded(path).map_err(|e| format!("{shown}: {e}"))?;
            let mut n = 0;
            for cert in CertificateDer::pem_slice_iter(&bytes) {
                let cert = cert.map_err(|e| format!("{shown}: not a PEM certificate: {e}"))?;
                store
                    .add(cert)
                    .map_err(|e| format!("{shown}: a certificate that cannot be used: {e}"))?;
                n += 1;
            }
            if n == 0 {
                return Err(format!("{shown} holds no PEM certificate"));
            }
            Ok((store, shown))
        }
        Roots::Default | Roots::System => {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let native = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(native.certs);
            Ok((
                store,
                "the platform's trusted roots and Mozilla's".to_string(),
            ))
        }
    }
}

fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_ROOTS_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_ROOTS_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_ROOTS_BYTES >> 20
        )));
    }
    Ok(bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    ChainAndName,
}

#[derive(Debug)]
struct Verifier {
    check: Check,
    mode: SslMode,
    inner: Option<Arc<WebPkiServerVerifier>>,
    trusted: String,
    provider: Arc<CryptoProvider>,
    failure: Failure,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let Some(inner) = self.inner.as_ref().filter(|_| self.check != Check::Nothing) else {
            return Ok(ServerCertVerified::assertion());
        };
        match inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Ok(v) => Ok(v),
            // webpki checks the name after the chain: a wrong name means the chain held.
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.check == Check::Chain => Ok(ServerCertVerified::assertion()),
            Err(e) => {
                let told = describe(&e, end_entity, server_name, self.mode, &self.trusted);
                if let Ok(mut slot) = self.failure.lock() {
                    *slot = Some(told);
                }
                Err(e)
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The certificate's subject and issuer, as `CN=db.internal, issued by CN=Corp CA`.
fn names(cert: &CertificateDer<'_>) -> String {
    use x509_cert::der::Decode;
    match x509_cert::Certificate::from_der(cert.as_ref()) {
        Ok(c) => format!(
            "{}, issued by {}",
            crate::support::words::neutral(&c.tbs_certificate.subject.to_string()),
            crate::support::words::neutral(&c.tbs_certificate.issuer.to_string())
        ),
        Err(_) => "that cannot be read".to_string(),
    }
}

/// What failed and which setting fixes it.
fn describe(
    e: &Error,
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    mode: SslMode,
    trusted: &str,
) -> (String, String) {
    let who = format!("the server's certificate ({})", names(cert));
    let host = crate::support::words::neutral(&server_name.to_str()).into_owned();
    let mode = mode.name();
    match e {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => (
            format!("{who} is not signed by a CA in {trusted} (sslmode={mode})"),
            "set sslrootcert to the PEM file of the CA that issued the server's certificate \
             (e.g. ?sslmode=verify-full&sslrootcert=/path/to/ca.pem); sslmode=require encrypts \
             without checking who answers"
                .to_string(),
        ),
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => {
            let presented = match e {
                Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                    presented,
                    ..
                }) if !presented.is_empty() => {
                    // rustls writes each name as `DnsName("db.internal")`: the name alone.
                    let names: Vec<&str> = presented
                        .iter()
                        .map(|p| {
                            p.split_once('(')
                                .map_or(p.as_str(), |(_, inner)| inner.trim_end_matches(')'))
                                .trim_matches('"')
                        })
                        .collect();
                    format!(
                        " (it names {})",
                        crate::support::words::neutral(&names.join(", "))
                    )
                }
                _ => String::new(),
            };
            (
                format!("{who} is not made out to the host {host}{presented} (sslmode={mode})"),
                "connect by a name the certificate holds, or use sslmode=verify-ca to check the CA \
                 and not the name"
                    .to_string(),
            )
        }
        Error::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        ) => (
            format!("{who} is outside its validity period (sslmode={mode})"),
            "renew the server's certificate, or check this machine's clock".to_string(),
        ),
        other => (
            format!("{who} was refused: {other} (sslmode={mode})"),
            format!("check the certificate against {trusted}"),
        ),
    }
}
