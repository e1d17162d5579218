//! The process exit codes of zisctl, derived from an error's kind: the CLI's contract, kept
//! out of the client. 0 success, 1 API or network failure, 2 usage or validation, 3
//! authentication or permission, 4 not found (130 interrupted is the CLI's own).
use crate::zis::{Error, ErrorKind};

/// Exit code for a failure with this error: 2 validation or configuration, 3 authentication
/// or permission (signed out too), 4 not found, 1 anything else (API, network, a bad answer).
pub fn code_of(e: &Error) -> i32 {
    match e.kind {
        ErrorKind::Validation | ErrorKind::Config => 2,
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::SignedOut => 3,
        ErrorKind::NotFound => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_kind() {
        let e = Error::from_response(
            400,
            br#"{"errors":[{"code":"InvalidIntegration","title":"Specified integration is not valid"}]}"#,
        );
        assert_eq!(code_of(&e), 1);
        let e = Error::from_response(401, b"Authorization failed due to integration mismatch");
        assert_eq!(code_of(&e), 3);
        let e = Error::from_response(
            404,
            br#"{"errors":[{"code":"NotFound","title":"Connection does not exist"}]}"#,
        )
        .with_context("show acme/bob");
        assert_eq!(code_of(&e), 4);
        assert_eq!(code_of(&Error::from_response(403, b"")), 3);
        assert_eq!(
            code_of(&Error::signed_out("the refresh token was refused")),
            3
        );
        assert_eq!(code_of(&Error::validation("name", "required")), 2);
        assert_eq!(code_of(&Error::config("no base URL")), 2);
        assert_eq!(code_of(&Error::new(ErrorKind::Timeout, "t")), 1);
        assert_eq!(code_of(&Error::from_response(503, b"")), 1);
    }
}
