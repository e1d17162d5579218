//! The grants, as [`Store`] methods (they take token ids from the store): authorization codes
//! and consent forms, `authorization_code` (PKCE S256), `refresh_token` (rotation) and
//! `client_credentials`.

use secrecy::{ExposeSecret, SecretString};

use super::{
    after, digest, now, os_random_hex, parse_scopes, refuse, s256_challenge, secret_eq,
    valid_verifier, AuthRequest, Code, Consent, Issued, OAuthError, OAuthErrorKind, CONSENT_TTL,
};
use crate::sandbox::store::Store;

/// The fields of `grant_type=authorization_code`.
pub(crate) struct CodeExchange<'a> {
    pub(crate) client_id: Option<&'a str>,
    pub(crate) client_secret: Option<&'a SecretString>,
    pub(crate) code: Option<&'a SecretString>,
    pub(crate) redirect_uri: Option<&'a str>,
    pub(crate) code_verifier: Option<&'a SecretString>,
}

impl Store {
    fn take_token_id(&mut self) -> u64 {
        let id = self.next_token_id;
        self.next_token_id += 1;
        id
    }

    /// Issues an authorization code for an approved request, for the user signed in now.
    pub(crate) fn oauth_issue_code(&mut self, request: AuthRequest) -> Result<String, OAuthError> {
        self.oauth.purge();
        let Some(code) = os_random_hex() else {
            return refuse(OAuthErrorKind::ServerError, "the OS random source failed");
        };
        let o = &mut self.oauth;
        o.codes.insert(
            digest(&code),
            Code {
                request,
                user: o.settings.user,
                expires_at: after(now(), o.settings.code_ttl),
            },
        );
        Ok(code)
    }

    /// Remembers a request shown on a consent page; the form carries the returned token.
    pub(crate) fn oauth_consent_form(&mut self, request: AuthRequest) -> Option<String> {
        self.oauth.purge();
        let token = os_random_hex()?;
        self.oauth.consents.insert(
            digest(&token),
            Consent {
                request,
                expires_at: after(now(), CONSENT_TTL),
            },
        );
        Some(token)
    }

    /// Takes (once) the consent form `token` stood for, if it carried exactly `request`.
    pub(crate) fn oauth_take_consent(&mut self, token: &str, request: &AuthRequest) -> bool {
        self.oauth.purge();
        match self.oauth.consents.remove(&digest(token)) {
            Some(c) => c.request == *request,
            None => false,
        }
    }

    /// `grant_type=authorization_code`. A code is burnt by the first attempt that names it,
    /// whatever the outcome [guess].
    pub(crate) fn oauth_exchange_code(
        &mut self,
        x: CodeExchange<'_>,
    ) -> Result<Issued, OAuthError> {
        let client = self
            .oauth
            .authenticate_client(x.client_id, x.client_secret)?
            .identifier;
        let Some(code) = x.code else {
            return refuse(OAuthErrorKind::InvalidRequest, "code is required");
        };
        let Some(redirect_uri) = x.redirect_uri else {
            return refuse(OAuthErrorKind::InvalidRequest, "redirect_uri is required");
        };
        let Some(stored) = self.oauth.codes.remove(&digest(code.expose_secret())) else {
            return refuse(OAuthErrorKind::InvalidGrant, "unknown or used code");
        };
        if stored.expires_at <= now() {
            return refuse(OAuthErrorKind::InvalidGrant, "expired code");
        }
        if stored.request.client != client {
            return refuse(OAuthErrorKind::InvalidGrant, "code of another client");
        }
        if stored.request.redirect_uri != redirect_uri {
            return refuse(OAuthErrorKind::InvalidGrant, "redirect_uri differs");
        }
        if let Some(challenge) = &stored.request.challenge {
            let Some(verifier) = x.code_verifier else {
                return refuse(OAuthErrorKind::InvalidRequest, "code_verifier is required");
            };
            let v = verifier.expose_secret();
            if !valid_verifier(v) || !secret_eq(&SecretString::from(s256_challenge(v)), challenge) {
                return refuse(OAuthErrorKind::InvalidGrant, "code_verifier does not match");
            }
        }
        let id = self.take_token_id();
        let issued =
            self.oauth
                .issue(id, client, stored.user, stored.request.scopes.clone(), true)?;
        self.oauth.counters.exchanges += 1;
        Ok(issued)
    }

    /// `grant_type=refresh_token`: rotation. The old access and refresh tokens are deleted; a
    /// rotated refresh token presented again is refused with `invalid_grant` (and counted).
    pub(crate) fn oauth_refresh(
        &mut self,
        client_id: Option<&str>,
        client_secret: Option<&SecretString>,
        refresh_token: Option<&SecretString>,
        scope: Option<&str>,
    ) -> Result<Issued, OAuthError> {
        let client = self
            .oauth
            .authenticate_client(client_id, client_secret)?
            .identifier;
        let Some(token) = refresh_token else {
            return refuse(OAuthErrorKind::InvalidRequest, "refresh_token is required");
        };
        let key = digest(token.expose_secret());
        let Some(old) = self.oauth.refresh.get(&key) else {
            if self.oauth.retired_refresh.contains(&key) {
                self.oauth.counters.refresh_reuse_refused += 1;
                return refuse(OAuthErrorKind::InvalidGrant, "refresh token already used");
            }
            return refuse(OAuthErrorKind::InvalidGrant, "unknown refresh token");
        };
        if old.client != client {
            return refuse(
                OAuthErrorKind::InvalidGrant,
                "refresh token of another client",
            );
        }
        if old.expires_at <= now() {
            self.oauth.refresh.remove(&key);
            return refuse(OAuthErrorKind::InvalidGrant, "expired refresh token");
        }
        // [guess] A `scope` may narrow the grant, never widen it.
        let scopes = match scope {
            None => old.scopes.clone(),
            Some(s) => match parse_scopes(s) {
                Some(asked) if asked.iter().all(|a| old.scopes.contains(a)) => asked,
                _ => return refuse(OAuthErrorKind::InvalidScope, "scope wider than granted"),
            },
        };
        let user = old.user;
        let id = self.take_token_id();
        let issued = self.oauth.issue(id, client, user, scopes, true)?;
        if let Some(old) = self.oauth.refresh.remove(&key) {
            self.oauth.access.remove(&old.access);
        }
        self.oauth.retired_refresh.insert(key);
        self.oauth.counters.refreshes += 1;
        Ok(issued)
    }

    /// `grant_type=client_credentials`: the confidential client only; no refresh token.
    /// [guess] The token acts as the `user` switch (Zendesk: the client's owner).
    pub(crate) fn oauth_client_credentials(
        &mut self,
        client_id: Option<&str>,
        client_secret: Option<&SecretString>,
        scope: Option<&str>,
    ) -> Result<Issued, OAuthError> {
        let client = self.oauth.authenticate_client(client_id, client_secret)?;
        if client.secret.is_none() {
            // The contract: a public client is refused with invalid_client.
            return refuse(OAuthErrorKind::InvalidClient, "public client");
        }
        let client = client.identifier;
        // [guess] Zendesk documents `scope` as required for this grant.
        let Some(scope) = scope else {
            return refuse(OAuthErrorKind::InvalidRequest, "scope is required");
        };
        let Some(scopes) = parse_scopes(scope) else {
            return refuse(OAuthErrorKind::InvalidScope, "unknown scope");
        };
        let user = self.oauth.settings.user;
        let id = self.take_token_id();
        let issued = self.oauth.issue(id, client, user, scopes, false)?;
        self.oauth.counters.client_credentials += 1;
        Ok(issued)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{OAuthSettings, OAuthState, User, CONFIDENTIAL_CLIENT_ID, PUBLIC_CLIENT_ID};
    use super::*;

    fn settings() -> OAuthSettings {
        OAuthSettings {
            access_ttl: Duration::from_secs(60),
            refresh_ttl: Duration::from_secs(600),
            zis_token_ttl: None,
            code_ttl: Duration::from_secs(60),
            auto_approve: true,
            refuse_api_tokens: false,
            user: User::Admin,
        }
    }

    fn store() -> Store {
        Store {
            oauth: OAuthState::new(settings()),
            ..Store::default()
        }
    }

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn request() -> AuthRequest {
        AuthRequest {
            client: PUBLIC_CLIENT_ID,
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            scopes: vec!["read".into(), "write".into()],
            state: Some("st".into()),
            challenge: Some(s256_challenge(VERIFIER)),
        }
    }

    fn exchange<'a>(code: &'a SecretString, verifier: &'a SecretString) -> CodeExchange<'a> {
        CodeExchange {
            client_id: Some(PUBLIC_CLIENT_ID),
            client_secret: None,
            code: Some(code),
            redirect_uri: Some("http://127.0.0.1:8765/callback"),
            code_verifier: Some(verifier),
        }
    }

    #[test]
    fn rfc7636_example_challenge() {
        assert_eq!(
            s256_challenge(VERIFIER),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn code_flow_rotation_and_reuse() {
        let mut s = store();
        let code = SecretString::from(s.oauth_issue_code(request()).unwrap());
        let v = SecretString::from(VERIFIER.to_string());
        let issued = s.oauth_exchange_code(exchange(&code, &v)).unwrap();
        assert_eq!(issued.scope, "read write");
        let again = s.oauth_exchange_code(exchange(&code, &v)).err().unwrap();
        assert_eq!(again.reason, "unknown or used code");
        let first_access = issued.access_token.expose_secret().to_string();
        assert!(s.oauth.access_token(&first_access).is_some());
        let rt = issued.refresh_token.unwrap();
        let next = s
            .oauth_refresh(Some(PUBLIC_CLIENT_ID), None, Some(&rt), None)
            .unwrap();
        assert!(s.oauth.access_token(&first_access).is_none());
        assert!(s
            .oauth
            .access_token(next.access_token.expose_secret())
            .is_some());
        let reuse = s
            .oauth_refresh(Some(PUBLIC_CLIENT_ID), None, Some(&rt), None)
            .err()
            .unwrap();
        assert_eq!(reuse.kind, OAuthErrorKind::InvalidGrant);
        assert_eq!(s.oauth.counters.refresh_reuse_refused, 1);
        assert_eq!(s.oauth.counters.refreshes, 1);
        assert_eq!(s.oauth.counters.exchanges, 1);
    }

    #[test]
    fn wrong_verifier_burns_the_code() {
        let mut s = store();
        let code = SecretString::from(s.oauth_issue_code(request()).unwrap());
        let wrong = SecretString::from("x".repeat(43));
        let e = s
            .oauth_exchange_code(exchange(&code, &wrong))
            .err()
            .unwrap();
        assert_eq!(e.reason, "code_verifier does not match");
        let right = SecretString::from(VERIFIER.to_string());
        let e = s
            .oauth_exchange_code(exchange(&code, &right))
            .err()
            .unwrap();
        assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
    }

    #[test]
    fn clients_and_scopes() {
        let mut s = store();
        let secret = SecretString::from(s.oauth.confidential_secret());
        let wrong = SecretString::from("nope".to_string());
        let ok = s.oauth_client_credentials(
            Some(CONFIDENTIAL_CLIENT_ID),
            Some(&secret),
            Some("read write"),
        );
        assert!(ok.unwrap().refresh_token.is_none());
        for (id, sec) in [
            (PUBLIC_CLIENT_ID, None),
            ("zis_acme", Some(&secret)),
            (CONFIDENTIAL_CLIENT_ID, Some(&wrong)),
            (CONFIDENTIAL_CLIENT_ID, None),
        ] {
            let e = s
                .oauth_client_credentials(Some(id), sec, Some("read"))
                .err()
                .unwrap();
            assert_eq!(e.kind, OAuthErrorKind::InvalidClient, "{id}");
        }
        assert_eq!(
            parse_scopes("read  write read"),
            Some(vec!["read".into(), "write".into()])
        );
        assert_eq!(parse_scopes("users:read"), Some(vec!["users:read".into()]));
        assert_eq!(parse_scopes("admin"), None);
        assert_eq!(parse_scopes(" "), None);
        assert!(!format!("{:?}", s.oauth).contains(&s.oauth.confidential_secret()));
    }
}
