//! The process exit codes of zisctl, derived from an error's kind: the CLI's contract, kept
//! out of the client. 0 success, 1 API or network failure, 2 usage or validation (a name
//! already taken too), 3 authentication or permission, 4 not found (an unknown integration
//! too), 6 cancelled, 7 a rotation's step at the target failed (130 interrupted is the CLI's
//! own).
use crate::zis::{Error, ErrorKind};

/// The user answered no to a confirmation (delete, rotate): nothing was changed. Not an API
/// failure.
pub const CANCELLED: i32 = 6;

/// A rotation recipe's step at the target system (its `set_command` or its test) failed: that
/// connection was not changed in ZIS, and its target may hold the new password printed before.
pub const TARGET_FAILED: i32 = 7;

/// Exit code for a failure with this error: 2 validation or configuration, or a name already
/// taken (409), 3 authentication or permission (signed out too), 4 not found (an unknown
/// integration too: ZIS says 400 InvalidIntegration), 1 anything else (API, network, a bad
/// answer).
pub fn code_of(e: &Error) -> i32 {
    if e.code.as_deref() == Some("InvalidIntegration") {
        return 4;
    }
    match e.kind {
        ErrorKind::Validation | ErrorKind::Config => 2,
        // A retried create that met 409 may be its own earlier attempt: not a plain conflict.
        ErrorKind::Conflict if !e.may_have_applied => 2,
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
        assert_eq!(code_of(&e), 4, "an unknown integration is not found");
        let e = Error::from_response(
            409,
            br#"{"errors":[{"code":"Conflict","title":"Resource conflict"}]}"#,
        );
        assert_eq!(code_of(&e), 2, "a name already taken");
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
