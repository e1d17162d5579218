//! `zisctl oauth-clients list | show | create | update | delete INTEGRATION [NAME]`.
//!
//! NAME is the client's name (its uuid works too): zisctl resolves the uuid from the list.
//! The client secret comes from `--client-secret-stdin` or a masked prompt, never argv, and is
//! printed nowhere: every listing leaves `client_secret` out (`show` says `*****`), whatever
//! the server sends. Every rule (names, https URLs without user info, scopes) is checked
//! before anything is sent. A delete says first, on stderr, which OAuth connections ZIS
//! deletes with the client.
use crate::args::{
    GlobalArgs, GrantTypeArg, OAuthClientCreateArgs, OAuthClientUpdateArgs, OAuthClientsCmd,
    OutputFormat,
};
use crate::audit::connections_of;
use crate::zis::{
    oauth_validate, validate, GrantType, NewOAuthClient, OAuthClientUpdate, ZisOAuthClient,
};

use super::connections::refuse_reserved;
use super::input::{prompt_secret, read_secret_stdin, stdin_is_terminal};
use super::oauth_views::{
    client_csv_row, client_record, client_table_row, OAuthClientView, CLIENT_CSV, CLIENT_TABLE,
};
use super::output::{self, render_record, Table};
use super::{warn, CliError, CliResult, Ctx};

pub async fn run(global: &GlobalArgs, cmd: OAuthClientsCmd) -> CliResult {
    match cmd {
        OAuthClientsCmd::List { integration, out } => list(global, &integration, out.output).await,
        OAuthClientsCmd::Show {
            integration,
            name,
            out,
        } => show(global, &integration, &name, out.output).await,
        OAuthClientsCmd::Create(a) => create(global, a).await,
        OAuthClientsCmd::Update(a) => update(global, a).await,
        OAuthClientsCmd::Delete {
            integration,
            name,
            yes,
            delete_reserved,
        } => delete(global, &integration, &name, yes, delete_reserved).await,
    }
}

pub(crate) fn grant_of(g: GrantTypeArg) -> GrantType {
    match g {
        GrantTypeArg::AuthorizationCode => GrantType::AuthorizationCode,
        GrantTypeArg::ClientCredentials => GrantType::ClientCredentials,
    }
}

/// The OAuth connections of `integration` built on each client (None: they could not be
/// read; said on stderr).
async fn connections_by_client(
    ctx: &Ctx,
    integration: &str,
    clients: &[ZisOAuthClient],
) -> Vec<Option<Vec<String>>> {
    match ctx.client.list_connections(integration).await {
        Ok(conns) => {
            let items: Vec<(String, crate::zis::Connection)> = conns
                .into_iter()
                .map(|c| (integration.to_string(), c))
                .collect();
            clients
                .iter()
                .map(|c| {
                    let mut l = connections_of(integration, &c.uuid, &items);
                    l.sort();
                    Some(l)
                })
                .collect()
        }
        Err(e) => {
            warn(&format!("the OAuth connections could not be read: {e}"));
            clients.iter().map(|_| None).collect()
        }
    }
}

fn print_clients(
    ctx: &Ctx,
    fmt: OutputFormat,
    integration: &str,
    clients: &[ZisOAuthClient],
    conns: &[Option<Vec<String>>],
) -> CliResult {
    let views: Vec<OAuthClientView> = clients
        .iter()
        .zip(conns)
        .map(|(c, l)| OAuthClientView::new(integration, c, l.as_deref()))
        .collect();
    let text = match fmt {
        OutputFormat::Json => output::json(&views)?,
        OutputFormat::Csv => {
            let mut t = Table::new(CLIENT_CSV);
            for v in &views {
                t.push(client_csv_row(v));
            }
            t.to_csv()
        }
        OutputFormat::Table => {
            let mut t = Table::new(CLIENT_TABLE);
            for (v, c) in views.iter().zip(clients) {
                t.push(client_table_row(v, c, ctx.now));
            }
            t.render()
        }
    };
    output::print(&text)?;
    Ok(())
}

fn print_client(
    ctx: &Ctx,
    fmt: OutputFormat,
    integration: &str,
    c: &ZisOAuthClient,
    conns: Option<&[String]>,
) -> CliResult {
    let v = OAuthClientView::new(integration, c, conns);
    let text = match fmt {
        OutputFormat::Json => output::json(&v)?,
        OutputFormat::Csv => {
            let mut t = Table::new(CLIENT_CSV);
            t.push(client_csv_row(&v));
            t.to_csv()
        }
        OutputFormat::Table => render_record(&client_record(&v, c, ctx.now)),
    };
    output::print(&text)?;
    Ok(())
}

pub async fn list(global: &GlobalArgs, integration: &str, fmt: OutputFormat) -> CliResult {
    validate::integration_name(integration)?;
    let ctx = Ctx::load(global)?;
    let mut clients = ctx.client.list_oauth_clients(integration).await?;
    clients.sort_by(|a, b| a.name.cmp(&b.name));
    if clients.is_empty() && fmt == OutputFormat::Table {
        warn(&format!("no OAuth clients in {integration}"));
    }
    let conns = connections_by_client(&ctx, integration, &clients).await;
    print_clients(&ctx, fmt, integration, &clients, &conns)
}

pub async fn show(
    global: &GlobalArgs,
    integration: &str,
    name: &str,
    fmt: OutputFormat,
) -> CliResult {
    validate::integration_name(integration)?;
    oauth_validate::lookup_name("OAuth client name", name)?;
    let ctx = Ctx::load(global)?;
    let c = ctx.client.find_oauth_client(integration, name).await?;
    let conns = connections_by_client(&ctx, integration, std::slice::from_ref(&c)).await;
    print_client(&ctx, fmt, integration, &c, conns[0].as_deref())
}

/// Where a client secret comes from.
enum Source {
    Stdin,
    Prompt,
}

pub async fn create(global: &GlobalArgs, a: OAuthClientCreateArgs) -> CliResult {
    validate::integration_name(&a.integration)?;
    oauth_validate::oauth_client_name(&a.name)?;
    oauth_validate::client_id(&a.client_id)?;
    oauth_validate::oauth_url("token URL", &a.token_url)?;
    if let Some(u) = &a.auth_url {
        oauth_validate::oauth_url("auth URL", u)?;
    }
    if let Some(s) = &a.scopes {
        oauth_validate::scopes("scopes", s)?;
    }
    let source = if a.client_secret_stdin {
        Source::Stdin
    } else if stdin_is_terminal() {
        Source::Prompt
    } else {
        return Err(CliError::usage(
            "no client secret given and stdin is not a terminal: use --client-secret-stdin \
             (secrets are never taken on the command line)",
        ));
    };
    let ctx = Ctx::load(global)?;
    ctx.check_writable("oauth-clients create")?;
    let client_secret = match source {
        Source::Stdin => read_secret_stdin("client secret")?,
        Source::Prompt => prompt_secret("client secret", false)?,
    };
    let new = NewOAuthClient {
        name: a.name.clone(),
        client_id: a.client_id.clone(),
        client_secret,
        token_url: a.token_url.clone(),
        auth_url: a.auth_url.clone(),
        default_scopes: a.scopes.clone(),
        grant_type: a.grant_type.map(grant_of),
    };
    let c = ctx.client.create_oauth_client(&a.integration, &new).await?;
    drop(new);
    warn(&format!(
        "created OAuth client {}/{} (uuid {})",
        a.integration,
        a.name,
        crate::sanitize::clean(&c.uuid)
    ));
    print_client(&ctx, a.out.output, &a.integration, &c, Some(&[]))
}

pub async fn update(global: &GlobalArgs, a: OAuthClientUpdateArgs) -> CliResult {
    validate::integration_name(&a.integration)?;
    oauth_validate::lookup_name("OAuth client name", &a.name)?;
    if let Some(v) = &a.client_id {
        oauth_validate::client_id(v)?;
    }
    if let Some(u) = &a.token_url {
        oauth_validate::oauth_url("token URL", u)?;
    }
    if let Some(u) = &a.auth_url {
        oauth_validate::oauth_url("auth URL", u)?;
    }
    if let Some(s) = &a.scopes {
        oauth_validate::scopes("scopes", s)?;
    }
    let nothing = !a.client_secret_stdin
        && a.client_id.is_none()
        && a.token_url.is_none()
        && a.auth_url.is_none()
        && a.scopes.is_none()
        && a.grant_type.is_none();
    if nothing && !stdin_is_terminal() {
        return Err(CliError::usage(
            "nothing to change: give --client-secret-stdin, --client-id, --token-url, \
             --auth-url, --scopes or --grant-type",
        ));
    }
    let ctx = Ctx::load(global)?;
    ctx.check_writable("oauth-clients update")?;
    // The secret first: an empty stdin is refused before any request.
    let client_secret = if a.client_secret_stdin {
        Some(read_secret_stdin("client secret")?)
    } else {
        None
    };
    let before = ctx
        .client
        .find_oauth_client(&a.integration, &a.name)
        .await?;
    let client_secret = match client_secret {
        Some(s) => Some(s),
        // On a terminal with nothing else to change: the new secret, masked.
        None if nothing => Some(prompt_secret("new client secret", true)?),
        None => None,
    };
    let update = OAuthClientUpdate {
        client_id: a.client_id.clone(),
        client_secret,
        token_url: a.token_url.clone(),
        auth_url: a.auth_url.clone(),
        default_scopes: a.scopes.clone(),
        grant_type: a.grant_type.map(grant_of),
    };
    let answered = ctx
        .client
        .update_oauth_client(&a.integration, &before.uuid, &before.name, &update)
        .await?;
    let fields = update.fields().join(", ");
    drop(update);
    let after = match answered {
        Some(c) if !c.name.is_empty() => c,
        _ => match ctx
            .client
            .find_oauth_client(&a.integration, &before.uuid)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                warn(&format!("updated, but it could not be read back: {e}"));
                before.clone()
            }
        },
    };
    let moved = match (before.updated_at, after.updated_at) {
        (Some(b), Some(n)) => n > b,
        (None, Some(_)) => true,
        _ => false,
    };
    warn(&format!(
        "updated OAuth client {}/{} ({fields}){}",
        a.integration,
        crate::sanitize::clean(&before.name),
        if moved {
            ""
        } else {
            "; its updated date did not move: check it"
        }
    ));
    let conns = connections_by_client(&ctx, &a.integration, std::slice::from_ref(&after)).await;
    print_client(
        &ctx,
        a.out.output,
        &a.integration,
        &after,
        conns[0].as_deref(),
    )
}

pub async fn delete(
    global: &GlobalArgs,
    integration: &str,
    name: &str,
    yes: bool,
    delete_reserved: bool,
) -> CliResult {
    validate::integration_name(integration)?;
    oauth_validate::lookup_name("OAuth client name", name)?;
    let ctx = Ctx::load(global)?;
    ctx.check_writable("oauth-clients delete")?;
    let c = ctx.client.find_oauth_client(integration, name).await?;
    // ZIS deletes every OAuth connection built on the client with it: say which, first.
    let conns = ctx
        .client
        .list_connections(integration)
        .await
        .map_err(|e| {
            CliError::from(e.with_context(format!(
                "list the OAuth connections deleted with {integration}/{name}"
            )))
        })?;
    let items: Vec<(String, crate::zis::Connection)> = conns
        .into_iter()
        .map(|c| (integration.to_string(), c))
        .collect();
    let mut cascade = connections_of(integration, &c.uuid, &items);
    cascade.sort();
    let shown = crate::sanitize::clean(&c.name);
    if cascade.is_empty() {
        warn(&format!(
            "OAuth client {integration}/{shown}: no OAuth connection is built on it"
        ));
    } else {
        warn(&format!(
            "OAuth client {integration}/{shown}: deleting it also deletes its {} OAuth \
             connection(s): {}",
            cascade.len(),
            crate::sanitize::clean(&cascade.join(", "))
        ));
    }
    if cascade.iter().any(|n| oauth_validate::is_reserved(n)) && !delete_reserved {
        return Err(CliError::usage(refuse_reserved(integration)));
    }
    if !yes {
        if !stdin_is_terminal() {
            return Err(CliError::usage(
                "refusing to delete without confirmation: stdin is not a terminal; add --yes",
            ));
        }
        let q = format!(
            "Delete OAuth client {integration}/{shown} and the {} OAuth connection(s) built on \
             it? This cannot be undone.",
            cascade.len()
        );
        if !super::input::confirm(&q)? {
            warn("not deleted: nothing was changed (cancelled)");
            return Err(CliError::silent(crate::exit::CANCELLED));
        }
    }
    ctx.client
        .delete_oauth_client(integration, &c.uuid, &c.name)
        .await?;
    warn(&format!(
        "deleted OAuth client {integration}/{shown} and {} OAuth connection(s) with it",
        cascade.len()
    ));
    Ok(())
}
