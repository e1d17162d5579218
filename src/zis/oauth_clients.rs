//! The OAuth endpoints: ZIS OAuth clients (list, create, `PATCH`, delete), the OAuth
//! connection's own show and delete routes, and the OAuth flow (start, and the finish of a
//! client-credentials flow). Every call takes the integration's ZIS token, as the connections
//! calls do. Answers that hold secrets in clear (client secrets, OAuth tokens) are parsed
//! without them and their bytes are wiped once read.
use reqwest::{Method, Url};
use zeroize::Zeroize;

use super::client::Client;
use super::error::{Error, ErrorKind, Result};
use super::journal::Mutation;
use super::models::{Connection, ConnectionKind};
use super::oauth_models::{NewOAuthClient, OAuthClientUpdate, OAuthStart, ZisOAuthClient};
use super::oauth_parse::{
    parse_client_answer, parse_clients, parse_oauth_connection, parse_redirect_url,
};
use super::oauth_validate;
use super::transport::{Answer, Retry};
use super::validate;

/// Pages of OAuth clients followed at most (a server that never ends its cursor is cut off).
const MAX_CLIENT_PAGES: usize = 100;

/// Read what `f` needs from an answer, then wipe its bytes (they may hold secrets in clear).
fn read_then_wipe<T>(mut ans: Answer, f: impl FnOnce(&[u8]) -> T) -> T {
    let out = f(&ans.body);
    ans.body.zeroize();
    out
}

impl Client {
    fn clients_url(&self, integration: &str, uuid: Option<&str>) -> Url {
        let mut segs = vec![
            "api",
            "services",
            "zis",
            "connections",
            "oauth",
            "clients",
            integration,
        ];
        if let Some(u) = uuid {
            segs.push(u);
        }
        self.url(&segs)
    }

    /// `/api/services/zis/connections/{integration}?name={name}`: an OAuth connection's own
    /// route.
    fn oauth_connection_url(&self, integration: &str, name: &str) -> Url {
        let mut url = self.url(&["api", "services", "zis", "connections", integration]);
        url.query_pairs_mut().append_pair("name", name);
        url
    }

    /// `GET /api/services/zis/connections/oauth/clients/{integration}`: every OAuth client
    /// of the integration (following `meta.after` if the server pages them).
    pub async fn list_oauth_clients(&self, integration: &str) -> Result<Vec<ZisOAuthClient>> {
        validate::integration_name(integration)?;
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_CLIENT_PAGES {
            let mut url = self.clients_url(integration, None);
            if let Some(a) = &after {
                url.query_pairs_mut().append_pair("page[after]", a);
            }
            let ans = self
                .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
                .await
                .map_err(|e| e.with_context(format!("list OAuth clients of {integration}")))?;
            let page = read_then_wipe(ans, parse_clients)?;
            all.extend(page.clients);
            match page.next {
                Some(n) if after.as_ref() != Some(&n) => after = Some(n),
                Some(_) => {
                    return Err(Error::invalid_response(
                        "the server repeated a page cursor (pagination loop)",
                    ))
                }
                None => return Ok(all),
            }
        }
        Err(Error::invalid_response(
            "the OAuth clients list did not end after 100 pages",
        ))
    }

    /// The OAuth client of `integration` called `name` (or whose uuid is `name`).
    pub async fn find_oauth_client(&self, integration: &str, name: &str) -> Result<ZisOAuthClient> {
        let list = self.list_oauth_clients(integration).await?;
        pick_client(list, name).ok_or_else(|| {
            let mut e = Error::new(ErrorKind::NotFound, "OAuth client does not exist");
            e.status = Some(404);
            e.with_context(format!("OAuth client {integration}/{name}"))
        })
    }

    /// `POST /api/services/zis/connections/oauth/clients/{integration}`. Every field is
    /// checked first; nothing is sent on a broken rule. The answer may be the client wrapped
    /// or bare, or its uuid alone (what it does not say is taken from what was sent), or
    /// empty (the client is then looked up by name).
    pub async fn create_oauth_client(
        &self,
        integration: &str,
        new: &NewOAuthClient,
    ) -> Result<ZisOAuthClient> {
        validate::integration_name(integration)?;
        oauth_validate::new_oauth_client(new)?;
        let url = self.clients_url(integration, None);
        let fields = new.fields();
        let m = Mutation {
            integration,
            connection: Some(&new.name),
            action: "create oauth client",
            kind: None,
            fields: &fields,
        };
        // The transport scrubs the client_secret sent from whatever error the server answers.
        let res = self
            .send_journaled(
                &m,
                Method::POST,
                url,
                Some(new.to_body()),
                Retry::Create,
                || format!("create OAuth client {integration}/{}", new.name),
            )
            .await;
        let answer = read_then_wipe(res?, parse_client_answer)?;
        let mut c = match answer {
            Some(c) => c,
            None => self
                .list_oauth_clients(integration)
                .await
                .ok()
                .and_then(|l| pick_client(l, &new.name))
                .ok_or_else(|| {
                    Error::invalid_response(
                        "the OAuth client was created, but the answer named no uuid and the \
                         list does not show it",
                    )
                })?,
        };
        fill_from(&mut c, integration, new);
        Ok(c)
    }

    /// `PATCH …/clients/{integration}/{uuid}` (`PUT` is refused by ZIS): the only in-place
    /// change ZIS offers for an OAuth client, its secret included. Answers the client when
    /// the server sent it (200), `None` for an empty answer (204). `name` is for the journal.
    pub async fn update_oauth_client(
        &self,
        integration: &str,
        uuid: &str,
        name: &str,
        update: &OAuthClientUpdate,
    ) -> Result<Option<ZisOAuthClient>> {
        validate::integration_name(integration)?;
        oauth_validate::lookup_name("OAuth client uuid", uuid)?;
        oauth_validate::oauth_client_update(update)?;
        let url = self.clients_url(integration, Some(uuid));
        let fields = update.fields();
        let m = Mutation {
            integration,
            connection: Some(name),
            action: "update oauth client",
            kind: None,
            fields: &fields,
        };
        // The transport scrubs the client_secret sent from whatever error the server answers.
        let res = self
            .send_journaled(
                &m,
                Method::PATCH,
                url,
                Some(update.to_body()),
                Retry::Idempotent,
                || format!("update OAuth client {integration}/{name}"),
            )
            .await;
        let answer = read_then_wipe(res?, parse_client_answer);
        // The change was applied (2xx): an answer that cannot be read does not undo it.
        Ok(answer.ok().flatten())
    }

    /// `DELETE …/clients/{integration}/{uuid}`. ZIS deletes every OAuth connection built on
    /// the client with it (the cascade): callers say which before they ask.
    pub async fn delete_oauth_client(
        &self,
        integration: &str,
        uuid: &str,
        name: &str,
    ) -> Result<()> {
        validate::integration_name(integration)?;
        oauth_validate::lookup_name("OAuth client uuid", uuid)?;
        let url = self.clients_url(integration, Some(uuid));
        let m = Mutation {
            integration,
            connection: Some(name),
            action: "delete oauth client",
            kind: None,
            fields: &[],
        };
        let res = self
            .send_journaled(&m, Method::DELETE, url, None, Retry::Idempotent, || {
                format!("delete OAuth client {integration}/{name}")
            })
            .await;
        res.map(|_| ())
    }

    /// `GET /api/services/zis/connections/{integration}?name={name}`: one OAuth connection
    /// (wrapped or bare), without its tokens.
    pub async fn get_oauth_connection(&self, integration: &str, name: &str) -> Result<Connection> {
        validate::integration_name(integration)?;
        oauth_validate::lookup_name("connection name", name)?;
        let url = self.oauth_connection_url(integration, name);
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("show OAuth connection {integration}/{name}")))?;
        read_then_wipe(ans, |b| parse_oauth_connection(b, name))
            .map_err(|e| e.with_context(format!("show OAuth connection {integration}/{name}")))
    }

    /// `DELETE /api/services/zis/connections/{integration}?name={name}` `[guess]`: the OAuth
    /// connection's own route, as its show is.
    pub async fn delete_oauth_connection(&self, integration: &str, name: &str) -> Result<()> {
        validate::integration_name(integration)?;
        oauth_validate::lookup_name("connection name", name)?;
        let url = self.oauth_connection_url(integration, name);
        let m = Mutation {
            integration,
            connection: Some(name),
            action: "delete",
            kind: Some(ConnectionKind::OAuth),
            fields: &[],
        };
        let res = self
            .send_journaled(&m, Method::DELETE, url, None, Retry::Idempotent, || {
                format!("delete OAuth connection {integration}/{name}")
            })
            .await;
        res.map(|_| ())
    }

    /// Delete a connection of any kind on its kind's route (an OAuth one on its own).
    pub async fn delete_any_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
    ) -> Result<()> {
        match kind {
            ConnectionKind::OAuth => self.delete_oauth_connection(integration, name).await,
            k => self.delete_connection(integration, k, name).await,
        }
    }

    /// `POST /api/services/zis/connections/oauth/start/{integration}`: the `redirect_url`
    /// the admin opens in a browser (for a client-credentials flow, the URL to fetch with
    /// [`Client::finish_client_credentials`]). ZIS stores the token under `start.name`.
    pub async fn start_oauth(&self, integration: &str, start: &OAuthStart) -> Result<String> {
        validate::integration_name(integration)?;
        oauth_validate::oauth_connection_name(&start.name)?;
        oauth_validate::redirect_url(&start.origin_oauth_redirect_url)?;
        if let Some(s) = &start.permission_scopes {
            oauth_validate::scopes("scopes", s)?;
        }
        let url = self.url(&[
            "api",
            "services",
            "zis",
            "connections",
            "oauth",
            "start",
            integration,
        ]);
        let m = Mutation {
            integration,
            connection: Some(&start.name),
            action: "authorize",
            kind: Some(ConnectionKind::OAuth),
            fields: &[],
        };
        let res = self
            .send_journaled(
                &m,
                Method::POST,
                url,
                Some(start.to_body()),
                Retry::Create,
                || format!("start the OAuth flow of {integration}/{}", start.name),
            )
            .await;
        read_then_wipe(res?, parse_redirect_url)
    }

    /// Finish a client-credentials flow: `GET` the verification URL `start_oauth` answered,
    /// with the same ZIS token. The token goes to this client's own server only: a URL on
    /// another scheme, host or port is refused before anything is sent.
    pub async fn finish_client_credentials(
        &self,
        integration: &str,
        redirect_url: &str,
    ) -> Result<()> {
        validate::integration_name(integration)?;
        let url = Url::parse(redirect_url)
            .map_err(|_| Error::invalid_response("the verification URL is not a URL"))?;
        let base =
            Url::parse(self.base_url()).map_err(|_| Error::config("the base URL is not a URL"))?;
        let same = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none();
        if !same {
            return Err(Error::invalid_response(
                "the verification URL of the client-credentials flow is not on this account's \
                 server: the ZIS token is not sent there",
            ));
        }
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("finish the OAuth flow of {integration}")))?;
        read_then_wipe(ans, |_| ());
        Ok(())
    }
}

/// Did the connection get a new token? Its `token_expiry` moved (or appeared); for a server
/// that sends no expiry, its `updated_at` moved. A connection that did not exist before
/// (`before` None) has a new one as soon as it exists.
pub fn token_moved(before: Option<&Connection>, after: &Connection) -> bool {
    let expiry = |c: &Connection| c.oauth.as_ref().and_then(|o| o.token_expiry);
    match before {
        None => true,
        Some(b) => match (expiry(b), expiry(after)) {
            (Some(x), Some(y)) => x != y,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => match (b.updated_at, after.updated_at) {
                (Some(x), Some(y)) => y > x,
                (None, Some(_)) => true,
                _ => false,
            },
        },
    }
}

impl Client {
    /// Read the OAuth connection every `poll` until its token moved from `before`
    /// ([`token_moved`]), for `limit` at most (then a [`ErrorKind::Timeout`]). "Not found"
    /// means the flow has not finished yet; any other error ends the wait. Dropping the
    /// future stops it.
    pub async fn wait_for_new_token(
        &self,
        integration: &str,
        name: &str,
        before: Option<&Connection>,
        poll: std::time::Duration,
        limit: std::time::Duration,
    ) -> Result<Connection> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            match self.get_oauth_connection(integration, name).await {
                Ok(c) if token_moved(before, &c) => return Ok(c),
                Ok(_) => {}
                Err(e) if e.kind == ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the token of {integration}/{name} did not change within {} s",
                        limit.as_secs()
                    ),
                ));
            }
            tokio::time::sleep(poll.min(deadline - now)).await;
        }
    }
}

/// The client called `name`, else the one whose uuid is `name`.
fn pick_client(list: Vec<ZisOAuthClient>, name: &str) -> Option<ZisOAuthClient> {
    let by_uuid = list.iter().position(|c| c.uuid == name);
    let mut list = list;
    list.iter()
        .position(|c| c.name == name)
        .or(by_uuid)
        .map(|i| list.swap_remove(i))
}

/// What a create answer left out, from what was sent.
fn fill_from(c: &mut ZisOAuthClient, integration: &str, new: &NewOAuthClient) {
    if c.name.is_empty() {
        c.name = new.name.clone();
    }
    if c.client_id.is_empty() {
        c.client_id = new.client_id.clone();
    }
    if c.token_url.is_empty() {
        c.token_url = new.token_url.clone();
    }
    if c.auth_url.is_none() {
        c.auth_url = new.auth_url.clone();
    }
    if c.default_scopes.is_none() {
        c.default_scopes = new.default_scopes.clone();
    }
    if c.grant_type.is_none() {
        c.grant_type = new.grant_type.map(|g| g.as_str().to_string());
    }
    if c.integration.is_none() {
        c.integration = Some(integration.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zis::OAuthDetails;
    use time::macros::datetime;

    fn conn(
        expiry: Option<time::OffsetDateTime>,
        updated: Option<time::OffsetDateTime>,
    ) -> Connection {
        Connection {
            kind: ConnectionKind::OAuth,
            name: "c".into(),
            allowed_domain: String::new(),
            username: None,
            header_name: None,
            created_at: None,
            updated_at: updated,
            oauth: Some(OAuthDetails {
                token_expiry: expiry,
                ..Default::default()
            }),
        }
    }

    #[test]
    fn a_token_moves_when_its_expiry_does() {
        let t1 = datetime!(2025-11-01 10:00 UTC);
        let t2 = datetime!(2025-11-22 13:00 UTC);
        assert!(token_moved(None, &conn(None, None)), "a new connection");
        assert!(token_moved(
            Some(&conn(Some(t1), None)),
            &conn(Some(t2), None)
        ));
        assert!(!token_moved(
            Some(&conn(Some(t1), None)),
            &conn(Some(t1), Some(t2))
        ));
        assert!(token_moved(Some(&conn(None, None)), &conn(Some(t1), None)));
        assert!(!token_moved(
            Some(&conn(Some(t1), None)),
            &conn(None, Some(t2))
        ));
        // No expiry from the server at all: its updated date.
        assert!(token_moved(
            Some(&conn(None, Some(t1))),
            &conn(None, Some(t2))
        ));
        assert!(!token_moved(
            Some(&conn(None, Some(t1))),
            &conn(None, Some(t1))
        ));
    }
}
