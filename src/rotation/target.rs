//! The steps at the target system: run a recipe's `set_command` or `test_command` (one JSON
//! object on stdin, never on argv or in the environment), or send the built-in test request
//! (only to the connection's allowed domain, https only but for loopback, no redirect
//! followed).
//!
//! What comes back is an outcome line safe to print: cleaned of control characters, cut to
//! [`MAX_LINE`] characters, with every occurrence of the new or old password replaced.
use std::process::Stdio;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

use super::recipe::{CommandSpec, TestMethod, TestSpec};
use crate::sanitize::clean;

/// The longest outcome line kept from a command's stderr.
pub const MAX_LINE: usize = 200;
/// The most of a command's stderr read (the rest is drained and dropped).
const MAX_STDERR: usize = 64 * 1024;

/// The connection a step works on, as its command receives it on stdin.
pub struct Subject<'a> {
    pub integration: &'a str,
    pub name: &'a str,
    /// `basic_auth`.
    pub kind: &'a str,
    pub username: &'a str,
    pub allowed_domain: &'a str,
    pub new_password: &'a SecretString,
    /// Only when the admin supplied it.
    pub old_password: Option<&'a SecretString>,
}

/// What a step said: the outcome line (safe to print), on success or failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailed(pub String);

impl std::fmt::Display for StepFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stdin of a recipe's command: the subject as one JSON object (`old_password` only when
/// known), in a zeroised buffer.
pub fn stdin_json(s: &Subject) -> Zeroizing<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Wire<'a> {
        integration: &'a str,
        name: &'a str,
        kind: &'a str,
        username: &'a str,
        allowed_domain: &'a str,
        new_password: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        old_password: Option<&'a str>,
    }
    let wire = Wire {
        integration: s.integration,
        name: s.name,
        kind: s.kind,
        username: s.username,
        allowed_domain: s.allowed_domain,
        new_password: s.new_password.expose_secret(),
        old_password: s.old_password.map(|p| p.expose_secret()),
    };
    let mut buf = Zeroizing::new(Vec::with_capacity(256));
    // Writing plain strings into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, &wire);
    buf.push(b'\n');
    buf
}

/// Make a line a program or server printed safe to show: its secrets replaced, control
/// characters neutralised, cut to [`MAX_LINE`] characters (ending in `…`).
pub fn safe_line(line: &str, s: &Subject) -> String {
    let mut text = line.trim().to_string();
    for secret in [Some(s.new_password), s.old_password].into_iter().flatten() {
        let p = secret.expose_secret();
        if !p.is_empty() && text.contains(p) {
            text = text.replace(p, "[password]");
        }
    }
    let text = clean(&text);
    if text.chars().count() > MAX_LINE {
        let mut cut: String = text.chars().take(MAX_LINE - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

/// Run a recipe's command (`sh -c`) with the subject on stdin. Ok: it exited 0 (the outcome is
/// the first line of its stderr, or "done"). Its stdout is discarded; its environment is
/// zisctl's without the secret variables ([`crate::secret::is_secret_env`]); on timeout its
/// whole process group is killed.
pub async fn run_command(spec: &CommandSpec, s: &Subject<'_>) -> Result<String, StepFailed> {
    let mut cmd = tokio::process::Command::new("sh");
    for (name, _) in std::env::vars_os() {
        if crate::secret::is_secret_env(&name.to_string_lossy()) {
            cmd.env_remove(&name);
        }
    }
    cmd.arg("-c")
        .arg(&spec.command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| StepFailed(format!("cannot run sh: {e}")))?;
    let pid = child.id();
    // Whatever ends this call early (the timeout, or the caller's future dropped on Ctrl-C)
    // stops the command's whole process group, not only `sh`: a set_command must not go on
    // changing the target after zisctl has said what became of the password.
    let mut group = GroupGuard(pid);
    let input = stdin_json(s);
    let mut stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    let work = async {
        if let Some(mut w) = stdin.take() {
            // A program that does not read its stdin may close it: its exit status says how it
            // went, not this write.
            let _ = w.write_all(&input).await;
            let _ = w.shutdown().await;
        }
        let mut err = Zeroizing::new(Vec::new());
        if let Some(r) = stderr.as_mut() {
            let mut chunk = Zeroizing::new([0u8; 4096]);
            loop {
                match r.read(&mut chunk[..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) if err.len() < MAX_STDERR => {
                        let room = MAX_STDERR - err.len();
                        err.extend_from_slice(&chunk[..n.min(room)])
                    }
                    Ok(_) => {}
                }
            }
        }
        let status = child.wait().await;
        (status, err)
    };
    let (status, err) = match tokio::time::timeout(spec.timeout, work).await {
        Ok(done) => done,
        Err(_) => {
            drop(group);
            return Err(StepFailed(format!(
                "timed out after {} (stopped)",
                seconds(spec.timeout)
            )));
        }
    };
    // It exited: its group is its own business now (a daemon it left is not ours to kill).
    group.0 = None;
    let text = String::from_utf8_lossy(&err);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| safe_line(l, s));
    let status = status.map_err(|e| StepFailed(format!("cannot wait for it: {e}")))?;
    if status.success() {
        return Ok(first.unwrap_or_else(|| "done".into()));
    }
    let how = match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                format!("killed by signal {}", status.signal().unwrap_or(0))
            }
            #[cfg(not(unix))]
            {
                "ended without a status".to_string()
            }
        }
    };
    Err(StepFailed(match first {
        Some(line) => format!("{how}: {line}"),
        None => format!("{how} (nothing on stderr)"),
    }))
}

/// Kills the process group `0` names when dropped, unless `0` was cleared.
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0.take());
    }
}

#[cfg(unix)]
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: Option<u32>) {}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// True for a host that names this machine: `localhost`, 127.0.0.0/8, ::1.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The shape of a `test_url`, checked when the config is read: an absolute https URL (http
/// only for loopback), no user:password@.
pub fn check_test_url_shape(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("test_url is not a URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "test_url may not hold user:password@ (the credential is the connection's)".into(),
        );
    }
    if url.host().is_none() {
        return Err("test_url needs a host".into());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err("test_url must be https (plain http only for a loopback address)".into()),
    }
}

/// The credential goes to its connection's allowed domain only: the URL's host must be that
/// domain or a subdomain of it (compared without case; an IP address must be equal).
pub fn check_test_host(url: &url::Url, allowed_domain: &str) -> Result<(), StepFailed> {
    let allowed = allowed_domain.trim_end_matches('.').to_ascii_lowercase();
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => String::new(),
    };
    let ok = !allowed.is_empty()
        && (host == allowed
            || (matches!(url.host(), Some(url::Host::Domain(_)))
                && host.ends_with(&format!(".{allowed}"))));
    if ok {
        Ok(())
    } else {
        Err(StepFailed(format!(
            "refused: the test URL's host {} is not the connection's allowed domain {} nor a \
             subdomain of it (nothing was sent)",
            clean(&host),
            clean(&allowed)
        )))
    }
}

/// Run a recipe's test: the built-in request or its command. Ok: the outcome line.
pub async fn run_test(spec: &TestSpec, s: &Subject<'_>) -> Result<String, StepFailed> {
    match spec {
        TestSpec::Command(c) => run_command(c, s).await,
        TestSpec::Url {
            url,
            method,
            status,
            timeout,
        } => test_request(url, *method, *status, *timeout, s).await,
    }
}

/// The built-in test: one request with the new credential (Basic auth: username and new
/// password), no redirect followed, no cookie kept, the body ignored.
async fn test_request(
    url: &url::Url,
    method: TestMethod,
    expected: u16,
    timeout: Duration,
    s: &Subject<'_>,
) -> Result<String, StepFailed> {
    check_test_host(url, s.allowed_domain)?;
    // Checked when read; checked again because a URL can reach here another way.
    check_test_url_shape(url.as_str()).map_err(StepFailed)?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(concat!(
            "zisctl/",
            env!("CARGO_PKG_VERSION"),
            " rotation-test"
        ));
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    let client = builder
        .build()
        .map_err(|e| StepFailed(format!("cannot build the test's HTTP client: {e}")))?;
    let m = match method {
        TestMethod::Get => reqwest::Method::GET,
        TestMethod::Head => reqwest::Method::HEAD,
        TestMethod::Post => reqwest::Method::POST,
    };
    let shown = format!("{} {}", method.as_str(), clean(url.as_str()));
    let answer = client
        .request(m, url.clone())
        .basic_auth(s.username, Some(s.new_password.expose_secret()))
        .send()
        .await
        .map_err(|e| {
            let why = if e.is_timeout() {
                format!("no answer within {}", seconds(timeout))
            } else if e.is_connect() {
                "cannot connect".to_string()
            } else {
                "the request failed".to_string()
            };
            // reqwest's own text may hold the URL only (never the credential), but keep it out.
            StepFailed(format!("{shown}: {why}"))
        })?;
    let got = answer.status().as_u16();
    if got == expected {
        return Ok(format!("{shown} answered {got}"));
    }
    let mut msg = format!("{shown} answered {got}, expected {expected}");
    if answer.status().is_redirection() {
        let to = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        if let Some(to) = to {
            let host = to.host_str().unwrap_or("");
            msg.push_str(&format!(
                " (a redirect to {}; not followed)",
                safe_line(host, s)
            ));
        } else {
            msg.push_str(" (a redirect; not followed)");
        }
    } else if got == 401 || got == 403 {
        msg.push_str(": the target does not take the new password");
    }
    Err(StepFailed(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(pw: &'a SecretString, old: Option<&'a SecretString>) -> Subject<'a> {
        Subject {
            integration: "acme",
            name: "billing",
            kind: "basic_auth",
            username: "svc",
            allowed_domain: "api.example.com",
            new_password: pw,
            old_password: old,
        }
    }

    #[test]
    fn the_stdin_object_holds_the_old_password_only_when_known() {
        let pw = SecretString::from("N3w-canary".to_string());
        let old = SecretString::from("0ld-canary".to_string());
        let v: serde_json::Value =
            serde_json::from_slice(&stdin_json(&subject(&pw, None))).unwrap();
        assert!(v["new_password"] == "N3w-canary");
        assert!(v.get("old_password").is_none());
        assert_eq!(v["username"], "svc");
        assert_eq!(v["allowed_domain"], "api.example.com");
        assert_eq!(v["kind"], "basic_auth");
        let v: serde_json::Value =
            serde_json::from_slice(&stdin_json(&subject(&pw, Some(&old)))).unwrap();
        assert!(v["old_password"] == "0ld-canary");
    }

    #[test]
    fn a_printed_line_never_carries_a_password() {
        let pw = SecretString::from("N3w-canary".to_string());
        let old = SecretString::from("0ld-canary".to_string());
        let s = subject(&pw, Some(&old));
        let line = safe_line("set N3w-canary (was 0ld-canary)\x1b[2J", &s);
        assert!(!line.contains("canary"));
        assert!(line.contains("[password]"));
        assert!(!line.contains('\x1b'));
        let long = "x".repeat(500);
        let cut = safe_line(&long, &s);
        assert_eq!(cut.chars().count(), MAX_LINE);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_test_url_must_be_https_or_loopback() {
        assert!(check_test_url_shape("https://api.example.com/x").is_ok());
        assert!(check_test_url_shape("http://127.0.0.1:8080/x").is_ok());
        assert!(check_test_url_shape("http://localhost:8080/x").is_ok());
        assert!(check_test_url_shape("http://[::1]:8080/x").is_ok());
        for bad in [
            "http://api.example.com/x",
            "ftp://api.example.com/",
            "https://u:p@api.example.com/",
            "not a url",
        ] {
            assert!(check_test_url_shape(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_credential_goes_to_the_allowed_domain_or_a_subdomain_only() {
        let ok = |u: &str, d: &str| check_test_host(&url::Url::parse(u).unwrap(), d).is_ok();
        assert!(ok("https://api.example.com/", "api.example.com"));
        assert!(ok("https://eu.api.example.com/", "api.example.com"));
        assert!(ok("https://API.Example.com/", "api.example.COM"));
        assert!(ok("http://localhost:1/", "localhost"));
        assert!(ok("http://127.0.0.1:1/", "127.0.0.1"));
        assert!(!ok("https://evil.com/", "api.example.com"));
        assert!(!ok("https://api.example.com.evil.com/", "api.example.com"));
        assert!(!ok("https://xapi.example.com/", "api.example.com"));
        assert!(!ok("https://example.com/", "api.example.com"));
        assert!(!ok("http://127.0.0.1:1/", "localhost"));
        assert!(!ok("https://api.example.com/", ""));
    }

    #[tokio::test]
    async fn a_command_reads_the_subject_on_stdin_and_reports_its_first_stderr_line() {
        let pw = SecretString::from("N3w-canary".to_string());
        let s = subject(&pw, None);
        let ok = CommandSpec {
            command:
                "read line; case \"$line\" in *N3w-canary*) echo 'set it' >&2;; *) exit 9;; esac"
                    .into(),
            timeout: Duration::from_secs(10),
        };
        assert_eq!(run_command(&ok, &s).await.unwrap(), "set it");
        let fail = CommandSpec {
            command: "echo \"refused: $(cat)\" >&2; echo second >&2; exit 3".into(),
            timeout: Duration::from_secs(10),
        };
        let e = run_command(&fail, &s).await.unwrap_err();
        assert!(e.0.starts_with("exited with status 3: refused: "));
        assert!(
            !e.0.contains("N3w-canary"),
            "the echoed password is replaced"
        );
        assert!(!e.0.contains("second"));
        let quiet = CommandSpec {
            command: "exit 1".into(),
            timeout: Duration::from_secs(10),
        };
        assert_eq!(
            run_command(&quiet, &s).await.unwrap_err().0,
            "exited with status 1 (nothing on stderr)"
        );
    }

    #[tokio::test]
    async fn a_hanging_command_is_stopped_with_its_children() {
        let pw = SecretString::from("N3w-canary".to_string());
        let s = subject(&pw, None);
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("late");
        let hang = CommandSpec {
            command: format!("(sleep 3; touch '{}') & sleep 30", marker.display()),
            timeout: Duration::from_millis(300),
        };
        let e = run_command(&hang, &s).await.unwrap_err();
        assert!(e.0.starts_with("timed out after"), "{e}");
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(!marker.exists(), "the command's children were stopped too");
    }
}
