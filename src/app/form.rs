//! Forms: create a connection, edit one, register an integration. Every field is a single-line
//! `TextArea`; secret fields are masked, keep no undo history, never touch the yank buffer, and
//! are wiped when the form goes away.
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;
use tui_textarea::{CursorMove, TextArea};
use zeroize::{Zeroize, Zeroizing};

use crate::zis::{
    oauth_validate, validate, Connection, ConnectionKind, ConnectionUpdate, GrantType,
    NewConnection, NewCredential, NewOAuthClient, OAuthClientUpdate,
};

use super::model::{ConnKey, ReqId};

/// The mask drawn for each character of a hidden secret.
pub const MASK: char = '•';

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    /// The connection kind selector (create only): not a text field.
    Kind,
    Name,
    Domain,
    Username,
    Password,
    HeaderName,
    ApiKey,
    Token,
    IntegrationName,
    Description,
    // An OAuth client's.
    ClientId,
    ClientSecret,
    TokenUrl,
    AuthUrl,
    Scopes,
    /// The grant type selector: not a text field.
    GrantType,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Kind => "Kind",
            FieldId::Name => "Name",
            FieldId::Domain => "Allowed domain",
            FieldId::Username => "Username",
            FieldId::Password => "Password",
            FieldId::HeaderName => "Header name",
            FieldId::ApiKey => "API key",
            FieldId::Token => "Token",
            FieldId::IntegrationName => "Integration name",
            FieldId::Description => "Description",
            FieldId::ClientId => "Client id",
            FieldId::ClientSecret => "Client secret",
            FieldId::TokenUrl => "Token URL",
            FieldId::AuthUrl => "Auth URL",
            FieldId::Scopes => "Scopes",
            FieldId::GrantType => "Grant type",
        }
    }

    pub fn is_secret(self) -> bool {
        matches!(
            self,
            FieldId::Password | FieldId::ApiKey | FieldId::Token | FieldId::ClientSecret
        )
    }

    /// A selector (changed with ←/→), not a text field.
    pub fn is_selector(self) -> bool {
        matches!(self, FieldId::Kind | FieldId::GrantType)
    }
}

/// One field of a form.
pub struct Field {
    pub id: FieldId,
    pub input: TextArea<'static>,
    /// The rule this field broke, shown under it (never its value).
    pub error: Option<String>,
    /// A hint shown beside an empty field ("leave empty to keep the current password").
    pub hint: &'static str,
}

impl Field {
    pub(super) fn new(id: FieldId, value: &str, hint: &'static str) -> Field {
        let mut f = Field {
            id,
            input: TextArea::default(),
            error: None,
            hint,
        };
        f.set_text(value);
        f
    }

    /// The field's text (single line), wiped when dropped.
    pub fn text(&self) -> Zeroizing<String> {
        Zeroizing::new(self.input.lines().concat())
    }

    /// The text of a field that holds no secret.
    pub fn plain(&self) -> String {
        if self.id.is_secret() {
            return String::new();
        }
        self.input.lines().concat()
    }

    /// Characters typed (what a mask shows).
    pub fn char_count(&self) -> usize {
        self.input.lines().iter().map(|l| l.chars().count()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// Replace the text; a secret's old text is wiped first.
    pub fn set_text(&mut self, value: &str) {
        self.wipe();
        let mut ta = TextArea::new(vec![value.to_string()]);
        ta.set_cursor_line_style(ratatui::style::Style::default());
        ta.move_cursor(CursorMove::End);
        if self.id.is_secret() {
            ta.set_max_histories(0);
            ta.set_mask_char(MASK);
        }
        self.input = ta;
    }

    /// Show or hide a secret field's text.
    pub fn set_revealed(&mut self, revealed: bool) {
        if self.id.is_secret() {
            if revealed {
                self.input.clear_mask_char();
            } else {
                self.input.set_mask_char(MASK);
            }
        }
    }

    fn wipe(&mut self) {
        if self.id.is_secret() {
            let old = std::mem::take(&mut self.input);
            for mut line in old.into_lines() {
                line.zeroize();
            }
        }
    }

    /// Delete from the cursor to the start of the line (Ctrl-U, as in a shell); a secret's
    /// old text is wiped, and nothing goes to a yank buffer.
    pub fn clear_to_start(&mut self) {
        if self.id.is_selector() {
            return;
        }
        let col = self.input.cursor().1;
        let text = self.text();
        let rest: Zeroizing<String> = Zeroizing::new(text.chars().skip(col).collect());
        self.set_text(rest.as_str());
        self.input.move_cursor(CursorMove::Head);
        self.error = None;
    }

    /// Feed a key to the text input. Keys that would add a second line are refused.
    pub fn input_key(&mut self, key: KeyEvent) {
        if self.id.is_selector() {
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab => return,
            KeyCode::Char('m' | 'j') if ctrl => return,
            _ => {}
        }
        if self.id.is_secret() {
            // A minimal editor: no shortcut that copies the text into the yank buffer.
            match key.code {
                KeyCode::Char('u') if ctrl => return self.clear_to_start(),
                KeyCode::Char(c) if !ctrl && !alt => self.input.insert_char(c),
                KeyCode::Backspace => {
                    self.input.delete_char();
                }
                KeyCode::Delete => {
                    self.input.delete_next_char();
                }
                KeyCode::Left => self.input.move_cursor(CursorMove::Back),
                KeyCode::Right => self.input.move_cursor(CursorMove::Forward),
                KeyCode::Home => self.input.move_cursor(CursorMove::Head),
                KeyCode::End => self.input.move_cursor(CursorMove::End),
                _ => {}
            }
        } else if ctrl && key.code == KeyCode::Char('u') {
            // Ctrl-U clears to the start, as in every shell (the text area's own undoes).
            return self.clear_to_start();
        } else {
            self.input.input(key);
        }
        self.keep_single_line();
        self.error = None;
    }

    /// Insert pasted text (line breaks dropped).
    pub fn paste(&mut self, text: &str) {
        if self.id.is_selector() {
            return;
        }
        let one_line: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| *c != '\n' && *c != '\r').collect());
        self.input.insert_str(one_line.as_str());
        self.keep_single_line();
        self.error = None;
    }

    fn keep_single_line(&mut self) {
        if self.input.lines().len() > 1 {
            let joined = self.text();
            self.set_text(joined.as_str());
        }
    }

    pub(super) fn secret(&self) -> SecretString {
        let mut t = self.text();
        SecretString::from(std::mem::take(&mut *t))
    }
}

impl Drop for Field {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Field");
        d.field("id", &self.id);
        if self.id.is_secret() {
            d.field("text", &"[REDACTED]");
        } else {
            d.field("text", &self.plain());
        }
        d.field("error", &self.error).finish()
    }
}

/// What a form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPurpose {
    Create {
        integration: String,
    },
    Edit {
        key: ConnKey,
        allowed_domain: String,
        username: Option<String>,
        header_name: Option<String>,
    },
    Register,
    CreateClient {
        integration: String,
    },
    EditClient {
        integration: String,
        uuid: String,
        name: String,
        client_id: String,
        token_url: String,
        auth_url: Option<String>,
        scopes: Option<String>,
        grant: GrantType,
    },
}

/// What a valid form asks for.
pub enum Submission {
    Create {
        integration: String,
        new: NewConnection,
    },
    Update {
        key: ConnKey,
        update: ConnectionUpdate,
    },
    Register {
        name: String,
        description: String,
    },
    CreateClient {
        integration: String,
        new: NewOAuthClient,
    },
    UpdateClient {
        integration: String,
        uuid: String,
        name: String,
        update: OAuthClientUpdate,
    },
}

pub struct Form {
    pub purpose: FormPurpose,
    /// The connection kind (chosen on create, fixed on edit).
    pub kind: ConnectionKind,
    /// An OAuth client's grant type (its forms only).
    pub grant: GrantType,
    pub fields: Vec<Field>,
    pub focus: FieldId,
    /// The request in flight for this form, if submitted.
    pub pending: Option<ReqId>,
    /// The server's answer to the last submit, in its words.
    pub error: Option<String>,
    /// Secret fields shown in clear.
    pub revealed: bool,
    /// A password was generated or shown here: the user may have set it elsewhere already, so
    /// Esc asks once more before the form (and the password) is thrown away.
    pub secret_shown: bool,
    /// Esc was pressed once with `secret_shown`; the next Esc discards.
    pub confirm_discard: bool,
    /// Something was typed (or generated) here: Ctrl-C asks before it is thrown away.
    pub touched: bool,
    /// Ctrl-C was pressed once on a touched form; the next Ctrl-C quits.
    pub confirm_quit: bool,
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("purpose", &self.purpose)
            .field("kind", &self.kind)
            .field("fields", &self.fields)
            .field("focus", &self.focus)
            .field("pending", &self.pending)
            .field("error", &self.error)
            .finish()
    }
}

impl Form {
    pub fn create(integration: &str) -> Form {
        Form {
            purpose: FormPurpose::Create {
                integration: integration.to_string(),
            },
            kind: ConnectionKind::BasicAuth,
            fields: vec![
                Field::new(FieldId::Kind, "", "←/→ to change"),
                Field::new(FieldId::Name, "", "3-64 of A-Z a-z 0-9 - _"),
                Field::new(FieldId::Username, "", ""),
                Field::new(FieldId::Password, "", "Ctrl-G generates one"),
                Field::new(FieldId::HeaderName, "", "e.g. X-API-Key"),
                Field::new(FieldId::ApiKey, "", ""),
                Field::new(FieldId::Token, "", ""),
                Field::new(FieldId::Domain, "", "a bare hostname, e.g. api.example.com"),
            ],
            // The kind (first row) defaults to basic_auth; typing starts with the name.
            focus: FieldId::Name,
            pending: None,
            error: None,
            revealed: false,
            secret_shown: false,
            confirm_discard: false,
            touched: false,
            confirm_quit: false,
            grant: GrantType::AuthorizationCode,
        }
    }

    /// An edit form for `conn`; `None` for kinds that cannot be edited here (oauth).
    pub fn edit(integration: &str, conn: &Connection) -> Option<Form> {
        let key = ConnKey::of(integration, conn);
        let fields = match conn.kind {
            ConnectionKind::BasicAuth => vec![
                Field::new(
                    FieldId::Username,
                    conn.username.as_deref().unwrap_or(""),
                    "",
                ),
                Field::new(
                    FieldId::Password,
                    "",
                    "empty keeps the current one; Ctrl-G generates",
                ),
            ],
            ConnectionKind::ApiKey => vec![
                Field::new(
                    FieldId::HeaderName,
                    conn.header_name.as_deref().unwrap_or(""),
                    "",
                ),
                Field::new(FieldId::ApiKey, "", "empty keeps the current key"),
            ],
            ConnectionKind::BearerToken => vec![Field::new(FieldId::Token, "", "the new token")],
            ConnectionKind::OAuth => return None,
        };
        let focus = fields.last().map(|f| f.id).unwrap_or(FieldId::Token);
        Some(Form {
            purpose: FormPurpose::Edit {
                key,
                allowed_domain: conn.allowed_domain.clone(),
                username: conn.username.clone(),
                header_name: conn.header_name.clone(),
            },
            kind: conn.kind,
            fields,
            focus,
            pending: None,
            error: None,
            revealed: false,
            secret_shown: false,
            confirm_discard: false,
            touched: false,
            confirm_quit: false,
            grant: GrantType::AuthorizationCode,
        })
    }

    pub fn register(name: &str, description: &str) -> Form {
        let focus = if name.is_empty() {
            FieldId::IntegrationName
        } else {
            FieldId::Description
        };
        Form {
            purpose: FormPurpose::Register,
            kind: ConnectionKind::OAuth,
            fields: vec![
                Field::new(FieldId::IntegrationName, name, "1-64 of a-z 0-9 - _"),
                Field::new(FieldId::Description, description, "optional"),
            ],
            focus,
            pending: None,
            error: None,
            revealed: false,
            secret_shown: false,
            confirm_discard: false,
            touched: false,
            confirm_quit: false,
            grant: GrantType::AuthorizationCode,
        }
    }

    pub fn title(&self) -> String {
        match &self.purpose {
            FormPurpose::Create { integration } => format!("New connection in {integration}"),
            FormPurpose::Edit { key, .. } => {
                format!("Edit {} connection {}", key.kind.as_str(), key.name)
            }
            FormPurpose::Register => "Register an integration".to_string(),
            FormPurpose::CreateClient { integration } => {
                format!("New OAuth client in {integration}")
            }
            FormPurpose::EditClient { name, .. } => format!("Edit OAuth client {name}"),
        }
    }

    /// The fields shown (and submitted) for the current kind, in order.
    pub fn visible(&self) -> Vec<FieldId> {
        let shown = |id: FieldId| match &self.purpose {
            FormPurpose::Create { .. } => match id {
                FieldId::Kind | FieldId::Name | FieldId::Domain => true,
                FieldId::Username | FieldId::Password => self.kind == ConnectionKind::BasicAuth,
                FieldId::HeaderName | FieldId::ApiKey => self.kind == ConnectionKind::ApiKey,
                FieldId::Token => self.kind == ConnectionKind::BearerToken,
                _ => false,
            },
            _ => true,
        };
        self.fields
            .iter()
            .map(|f| f.id)
            .filter(|id| shown(*id))
            .collect()
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn field_mut(&mut self, id: FieldId) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    /// The text of a field that holds no secret.
    pub(super) fn text(&self, id: FieldId) -> String {
        self.field(id).map(Field::plain).unwrap_or_default()
    }

    pub(super) fn is_blank(&self, id: FieldId) -> bool {
        self.field(id).is_none_or(Field::is_empty)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        let id = self.focus;
        self.field_mut(id)
    }

    pub fn move_focus(&mut self, forward: bool) {
        let vis = self.visible();
        if vis.is_empty() {
            return;
        }
        let i = vis.iter().position(|id| *id == self.focus).unwrap_or(0);
        let n = vis.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus = vis[j];
    }

    pub fn focus_is_last(&self) -> bool {
        self.visible().last() == Some(&self.focus)
    }

    /// Change the kind of a connection being created (or an OAuth client's grant type).
    pub fn cycle_kind(&mut self, forward: bool) {
        if self.focus == FieldId::GrantType {
            self.grant = match self.grant {
                GrantType::AuthorizationCode => GrantType::ClientCredentials,
                GrantType::ClientCredentials => GrantType::AuthorizationCode,
            };
            return;
        }
        if !matches!(self.purpose, FormPurpose::Create { .. }) {
            return;
        }
        let all = ConnectionKind::CREATABLE;
        let i = all.iter().position(|k| *k == self.kind).unwrap_or(0);
        let n = all.len();
        self.kind = all[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    pub fn has_secret_fields(&self) -> bool {
        self.visible().iter().any(|id| id.is_secret())
    }

    pub fn set_revealed(&mut self, revealed: bool) {
        self.revealed = revealed;
        for f in &mut self.fields {
            f.set_revealed(revealed);
        }
    }

    /// Check every visible field against `zis::validate`; on success, what to send. On failure
    /// each broken field carries its rule and the focus goes to the first of them.
    pub fn submission(&mut self) -> Option<Submission> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let mut errors: Vec<(FieldId, String)> = Vec::new();
        let vis = self.visible();
        let mut check = |id: FieldId, r: crate::zis::Result<()>| {
            if let Err(e) = r {
                errors.push((id, rule_of(&e.message)));
            }
        };
        for id in &vis {
            let t = self.field(*id).map(Field::text).unwrap_or_default();
            let edit = matches!(
                self.purpose,
                FormPurpose::Edit { .. } | FormPurpose::EditClient { .. }
            );
            let client = matches!(self.purpose, FormPurpose::CreateClient { .. });
            match id {
                FieldId::Kind | FieldId::GrantType => {}
                FieldId::Name if client => check(*id, oauth_validate::oauth_client_name(&t)),
                FieldId::Name => check(*id, validate::connection_name(&t)),
                FieldId::Domain => check(*id, validate::allowed_domain(&t)),
                FieldId::Username => check(*id, validate::username(&t)),
                FieldId::HeaderName => check(*id, validate::header_name(&t)),
                FieldId::Password | FieldId::ApiKey if edit && t.is_empty() => {}
                FieldId::Password => check(*id, validate::secret("password", &t)),
                FieldId::ApiKey => check(*id, validate::secret("api key", &t)),
                FieldId::Token => check(*id, validate::secret("token", &t)),
                FieldId::IntegrationName => check(*id, validate::integration_name(&t)),
                FieldId::ClientId => check(*id, oauth_validate::client_id(&t)),
                FieldId::ClientSecret if edit && t.is_empty() => {}
                FieldId::ClientSecret => check(*id, validate::secret("client secret", &t)),
                FieldId::TokenUrl => check(*id, oauth_validate::oauth_url("token URL", &t)),
                FieldId::AuthUrl if t.is_empty() => {}
                FieldId::AuthUrl => check(*id, oauth_validate::oauth_url("auth URL", &t)),
                FieldId::Scopes => check(*id, oauth_validate::scopes("scopes", &t)),
                FieldId::Description => {
                    let r = if t.chars().count() > 1024 {
                        Err(crate::zis::Error::validation(
                            "description",
                            "at most 1024 characters",
                        ))
                    } else {
                        Ok(())
                    };
                    check(*id, r)
                }
            }
        }
        if errors.is_empty() {
            if let FormPurpose::Edit {
                username,
                header_name,
                ..
            } = &self.purpose
            {
                let unchanged = match self.kind {
                    ConnectionKind::BasicAuth => {
                        Some(self.text(FieldId::Username)) == *username
                            && self.is_blank(FieldId::Password)
                    }
                    ConnectionKind::ApiKey => {
                        Some(self.text(FieldId::HeaderName)) == *header_name
                            && self.is_blank(FieldId::ApiKey)
                    }
                    _ => false,
                };
                if unchanged {
                    self.error = Some("nothing to change: edit a field first".into());
                    return None;
                }
            }
        }
        if let Some((first, _)) = errors.first() {
            self.focus = *first;
            for (id, rule) in errors {
                if let Some(f) = self.field_mut(id) {
                    if f.error.is_none() {
                        f.error = Some(rule);
                    }
                }
            }
            return None;
        }
        let secret = |id: FieldId| self.field(id).map(Field::secret);
        let changed_secret = |id: FieldId| secret(id).filter(|_| !self.is_blank(id));
        Some(match &self.purpose {
            FormPurpose::Create { integration } => {
                let credential = match self.kind {
                    ConnectionKind::ApiKey => NewCredential::ApiKey {
                        header_name: self.text(FieldId::HeaderName),
                        api_key: secret(FieldId::ApiKey)?,
                    },
                    ConnectionKind::BearerToken => NewCredential::BearerToken {
                        token: secret(FieldId::Token)?,
                    },
                    _ => NewCredential::BasicAuth {
                        username: self.text(FieldId::Username),
                        password: secret(FieldId::Password)?,
                    },
                };
                Submission::Create {
                    integration: integration.clone(),
                    new: NewConnection {
                        name: self.text(FieldId::Name),
                        allowed_domain: self.text(FieldId::Domain),
                        credential,
                    },
                }
            }
            FormPurpose::Edit {
                key,
                username,
                header_name,
                ..
            } => {
                let update = match self.kind {
                    ConnectionKind::ApiKey => ConnectionUpdate::ApiKey {
                        header_name: Some(self.text(FieldId::HeaderName))
                            .filter(|h| Some(h) != header_name.as_ref()),
                        api_key: changed_secret(FieldId::ApiKey),
                    },
                    ConnectionKind::BearerToken => ConnectionUpdate::BearerToken {
                        token: secret(FieldId::Token),
                    },
                    _ => ConnectionUpdate::BasicAuth {
                        username: Some(self.text(FieldId::Username))
                            .filter(|u| Some(u) != username.as_ref()),
                        password: changed_secret(FieldId::Password),
                    },
                };
                Submission::Update {
                    key: key.clone(),
                    update,
                }
            }
            FormPurpose::Register => Submission::Register {
                name: self.text(FieldId::IntegrationName),
                description: self.text(FieldId::Description),
            },
            FormPurpose::CreateClient { .. } | FormPurpose::EditClient { .. } => {
                return self.client_submission();
            }
        })
    }
}

/// `validate` messages read "field: rule"; the form shows the rule under the field.
fn rule_of(message: &str) -> String {
    match message.split_once(": ") {
        Some((_, rule)) => rule.to_string(),
        None => message.to_string(),
    }
}
