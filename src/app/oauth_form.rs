//! The OAuth client forms: create one, and edit one in place (a new client secret in a
//! masked field, its client id, URLs, scopes and grant type). Their fields are checked by the
//! same rules as the CLI's (`zis::oauth_validate`) by [`Form::submission`].
use crate::zis::{NewOAuthClient, OAuthClientUpdate, ZisOAuthClient};

use super::form::{Field, FieldId, Form, FormPurpose, Submission};

impl Form {
    /// A form for a new OAuth client of `integration`.
    pub fn create_client(integration: &str) -> Form {
        let mut f = Form::register("", "");
        f.purpose = FormPurpose::CreateClient {
            integration: integration.to_string(),
        };
        f.fields = vec![
            Field::new(FieldId::Name, "", "3-64 of A-Z a-z 0-9 - _"),
            Field::new(FieldId::ClientId, "", "as the OAuth provider issued it"),
            Field::new(FieldId::ClientSecret, "", "as the OAuth provider issued it"),
            Field::new(FieldId::TokenUrl, "", "https://…/token"),
            Field::new(
                FieldId::AuthUrl,
                "",
                "https://…/authorize (authorization code)",
            ),
            Field::new(FieldId::Scopes, "", "space-delimited, optional"),
            Field::new(FieldId::GrantType, "", "←/→ to change"),
        ];
        f.focus = FieldId::Name;
        f
    }

    /// A form that changes `client` in place (`PATCH`); with `secret_first`, the focus
    /// starts on the new secret (a rotation of the client secret).
    pub fn edit_client(integration: &str, client: &ZisOAuthClient, secret_first: bool) -> Form {
        let mut f = Form::register("", "");
        f.purpose = FormPurpose::EditClient {
            integration: integration.to_string(),
            uuid: client.uuid.clone(),
            name: client.name.clone(),
            client_id: client.client_id.clone(),
            token_url: client.token_url.clone(),
            auth_url: client.auth_url.clone(),
            scopes: client.default_scopes.clone(),
            grant: client.grant(),
        };
        f.grant = client.grant();
        f.fields = vec![
            Field::new(
                FieldId::ClientSecret,
                "",
                "the new secret; empty keeps the current one",
            ),
            Field::new(FieldId::ClientId, &client.client_id, ""),
            Field::new(FieldId::TokenUrl, &client.token_url, ""),
            Field::new(
                FieldId::AuthUrl,
                client.auth_url.as_deref().unwrap_or(""),
                "empty keeps it",
            ),
            Field::new(
                FieldId::Scopes,
                client.default_scopes.as_deref().unwrap_or(""),
                "",
            ),
            Field::new(FieldId::GrantType, "", "←/→ to change"),
        ];
        f.focus = if secret_first {
            FieldId::ClientSecret
        } else {
            FieldId::ClientId
        };
        f
    }

    /// What a valid OAuth client form sends (its fields passed their rules): the new client,
    /// or the fields that changed (none changed: the form says so and nothing is sent).
    pub(super) fn client_submission(&mut self) -> Option<Submission> {
        let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
        match self.purpose.clone() {
            FormPurpose::CreateClient { integration } => Some(Submission::CreateClient {
                integration,
                new: NewOAuthClient {
                    name: self.text(FieldId::Name),
                    client_id: self.text(FieldId::ClientId),
                    client_secret: self.field(FieldId::ClientSecret).map(Field::secret)?,
                    token_url: self.text(FieldId::TokenUrl),
                    auth_url: opt(self.text(FieldId::AuthUrl)),
                    default_scopes: opt(self.text(FieldId::Scopes)),
                    grant_type: Some(self.grant),
                },
            }),
            FormPurpose::EditClient {
                integration,
                uuid,
                name,
                client_id,
                token_url,
                auth_url,
                scopes,
                grant,
            } => {
                let changed = |now: String, was: &str| (now != was).then_some(now);
                let secret = (!self.is_blank(FieldId::ClientSecret))
                    .then(|| self.field(FieldId::ClientSecret).map(Field::secret))
                    .flatten();
                let auth = self.text(FieldId::AuthUrl);
                let update = OAuthClientUpdate {
                    client_id: changed(self.text(FieldId::ClientId), &client_id),
                    client_secret: secret,
                    token_url: changed(self.text(FieldId::TokenUrl), &token_url),
                    // An emptied auth URL keeps the one ZIS has (a PATCH cannot remove it).
                    auth_url: opt(auth).and_then(|a| changed(a, auth_url.as_deref().unwrap_or(""))),
                    default_scopes: changed(
                        self.text(FieldId::Scopes),
                        scopes.as_deref().unwrap_or(""),
                    ),
                    grant_type: (self.grant != grant).then_some(self.grant),
                };
                if update.is_empty() {
                    self.error = Some("nothing to change: edit a field first".into());
                    return None;
                }
                Some(Submission::UpdateClient {
                    integration,
                    uuid,
                    name,
                    update,
                })
            }
            _ => None,
        }
    }
}
