//! `zisctl connections list | show | create | update | delete`.
//!
//! A password made by `--generate` is printed (written, flushed, delivered) BEFORE the request
//! that sets it is sent, and what the server answered follows (`generated.rs`); Ctrl-C,
//! SIGTERM, SIGHUP and SIGQUIT while a change is in flight end the output (`status: unknown`)
//! and exit with 128 + the signal. The audit log has the change's pending line either way.
use secrecy::SecretString;

use crate::args::{CreateArgs, GlobalArgs, KindArg, OutputFormat, UpdateArgs};
use crate::signals::Signals;
use crate::zis::{
    oauth_validate, validate, Connection, ConnectionKind, ConnectionUpdate, Error, ErrorKind,
    NewConnection, NewCredential,
};

use super::generated::Generated;
use super::input::{prompt_secret, read_secret_stdin, stdin_is_terminal};
use super::output::{self, render_record, Table};
use super::views::{
    connection_csv_headers, connection_list_csv_row, connection_record, connections_table,
    ConnectionView, Outcome,
};
use super::{
    check_length, existing_connection_name, kind_of, may_have_applied, new_password,
    stdout_is_terminal, warn, CliError, CliResult, Ctx,
};

pub async fn list(
    global: &GlobalArgs,
    integration: &str,
    kind: Option<KindArg>,
    fmt: OutputFormat,
) -> CliResult {
    validate::integration_name(integration)?;
    let ctx = Ctx::load(global)?;
    let mut conns = ctx.client.list_connections(integration).await?;
    if let Some(k) = kind.map(kind_of) {
        conns.retain(|c| c.kind == k);
    }
    conns.sort_by(|a, b| a.name.cmp(&b.name).then(a.kind.cmp(&b.kind)));
    let text = match fmt {
        OutputFormat::Json => {
            let views: Vec<ConnectionView> = conns
                .iter()
                .map(|c| ConnectionView::new(integration, c))
                .collect();
            output::json(&views)?
        }
        OutputFormat::Csv => {
            let mut t = Table::new(&connection_csv_headers());
            for c in &conns {
                t.push(connection_list_csv_row(&ConnectionView::new(
                    integration,
                    c,
                )));
            }
            t.to_csv()
        }
        OutputFormat::Table => {
            if conns.is_empty() {
                let what = kind.map(|k| format!("{} ", kind_of(k))).unwrap_or_default();
                warn(&format!("no {what}connections in {integration}"));
            }
            let items: Vec<(String, Connection)> = conns
                .into_iter()
                .map(|c| (integration.to_string(), c))
                .collect();
            connections_table(&items, ctx.now).render()
        }
    };
    output::print(&text)?;
    Ok(())
}

pub async fn show(
    global: &GlobalArgs,
    integration: &str,
    name: &str,
    fmt: OutputFormat,
) -> CliResult {
    validate::integration_name(integration)?;
    existing_connection_name(name)?;
    let ctx = Ctx::load(global)?;
    let c = ctx.client.find_connection(integration, name).await?;
    let client = match c
        .oauth
        .as_ref()
        .and_then(|o| o.oauth_client_uuid.as_deref())
    {
        // Which OAuth client it was made with, by name (best effort: the uuid is printed).
        Some(uuid) if fmt == OutputFormat::Table => ctx
            .client
            .list_oauth_clients(integration)
            .await
            .ok()
            .and_then(|l| l.into_iter().find(|cl| cl.uuid == uuid))
            .map(|cl| cl.name),
        _ => None,
    };
    print_connection_named(&ctx, fmt, integration, &c, client.as_deref())
}

/// Print one connection (never a secret).
fn print_connection(ctx: &Ctx, fmt: OutputFormat, integration: &str, c: &Connection) -> CliResult {
    print_connection_named(ctx, fmt, integration, c, None)
}

/// [`print_connection`], naming the OAuth client of an oauth connection in the table.
pub(super) fn print_connection_named(
    ctx: &Ctx,
    fmt: OutputFormat,
    integration: &str,
    c: &Connection,
    oauth_client: Option<&str>,
) -> CliResult {
    let view = ConnectionView::new(integration, c);
    let text = match fmt {
        OutputFormat::Json => output::json(&view)?,
        OutputFormat::Csv => {
            let mut t = Table::new(&connection_csv_headers());
            t.push(connection_list_csv_row(&view));
            t.to_csv()
        }
        OutputFormat::Table => {
            let mut pairs = connection_record(&view, ctx.now, c);
            if let Some(name) = oauth_client {
                // After "tokens": the client they came from.
                let at = pairs
                    .iter()
                    .position(|(k, _)| *k == "tokens")
                    .map_or(pairs.len(), |i| i + 1);
                pairs.insert(at, ("oauth client", crate::sanitize::clean(name)));
            }
            render_record(&pairs)
        }
    };
    output::print(&text)?;
    Ok(())
}

/// Print the head of a generated password's record; nothing is sent when it cannot be.
async fn print_generated(
    out: &Generated,
    integration: &str,
    kind: ConnectionKind,
    name: &str,
    pw: &SecretString,
) -> CliResult {
    if stdout_is_terminal() {
        warn(
            "the generated password is printed below, this once: store it and set it on the \
             target system",
        );
    }
    out.head(integration, kind, name, pw)
        .await
        .map_err(|e| CliError {
            code: 1,
            message: Some(format!(
                "cannot write the generated password to stdout ({e}): nothing was sent"
            )),
        })
}

/// A signal arrived while a change was in flight: end the generated record (when there is
/// one) as `unknown`, and say what to check.
fn interrupted(
    code: i32,
    out: Option<(&Generated, &Connection)>,
    integration: &str,
    name: &str,
    ctx: &Ctx,
) -> CliError {
    let mut msg = format!(
        "interrupted while the change was in flight: it may have been applied (check with \
         `zisctl connections show {integration} {name}`)"
    );
    if let Some((g, c)) = out {
        let _ = g.tail(integration, c, Outcome::Unknown, Some(false), ctx.now);
        msg.push_str("; the generated password is printed above (status: unknown)");
    }
    CliError {
        code,
        message: Some(msg),
    }
}

/// Where a secret comes from.
enum Source {
    Stdin,
    Generate,
    Prompt,
}

fn no_secret_on_argv(what: &str, flags: &str) -> CliError {
    CliError::usage(format!(
        "no {what} given and stdin is not a terminal: use {flags} (secrets are never taken on \
         the command line)"
    ))
}

fn refuse_flag(present: bool, flag: &str, kind: ConnectionKind) -> CliResult {
    if present {
        return Err(CliError::usage(format!(
            "{flag} does not apply to {kind} connections"
        )));
    }
    Ok(())
}

pub async fn create(global: &GlobalArgs, a: CreateArgs) -> CliResult {
    let kind = kind_of(a.kind);
    validate::integration_name(&a.integration)?;
    validate::connection_name(&a.name)?;
    validate::allowed_domain(&a.allowed_domain)?;
    // Which secret, from where; every rule checked before stdin is read or anything is sent.
    let (field, source) =
        match kind {
            ConnectionKind::BasicAuth => {
                refuse_flag(a.header_name.is_some(), "--header-name", kind)?;
                refuse_flag(a.api_key_stdin, "--api-key-stdin", kind)?;
                refuse_flag(a.token_stdin, "--token-stdin", kind)?;
                let Some(u) = &a.username else {
                    return Err(CliError::usage("--username is required for basic_auth"));
                };
                validate::username(u)?;
                let source = if a.password_stdin {
                    Source::Stdin
                } else if a.generate {
                    if let Some(length) = a.length {
                        check_length(length)?;
                    }
                    Source::Generate
                } else if stdin_is_terminal() {
                    Source::Prompt
                } else {
                    return Err(no_secret_on_argv(
                        "password",
                        "--password-stdin or --generate",
                    ));
                };
                ("password", source)
            }
            ConnectionKind::ApiKey => {
                refuse_flag(a.username.is_some(), "--username", kind)?;
                refuse_flag(a.password_stdin, "--password-stdin", kind)?;
                refuse_flag(a.generate, "--generate", kind)?;
                refuse_flag(a.token_stdin, "--token-stdin", kind)?;
                let Some(h) = &a.header_name else {
                    return Err(CliError::usage("--header-name is required for api_key"));
                };
                validate::header_name(h)?;
                let source = if a.api_key_stdin {
                    Source::Stdin
                } else if stdin_is_terminal() {
                    Source::Prompt
                } else {
                    return Err(no_secret_on_argv("API key", "--api-key-stdin"));
                };
                ("api key", source)
            }
            ConnectionKind::BearerToken => {
                refuse_flag(a.username.is_some(), "--username", kind)?;
                refuse_flag(a.password_stdin, "--password-stdin", kind)?;
                refuse_flag(a.generate, "--generate", kind)?;
                refuse_flag(a.header_name.is_some(), "--header-name", kind)?;
                refuse_flag(a.api_key_stdin, "--api-key-stdin", kind)?;
                let source = if a.token_stdin {
                    Source::Stdin
                } else if stdin_is_terminal() {
                    Source::Prompt
                } else {
                    return Err(no_secret_on_argv("token", "--token-stdin"));
                };
                ("token", source)
            }
            ConnectionKind::OAuth => return Err(CliError::usage(
                "oauth connections are made through an OAuth flow: `zisctl connections authorize \
             INTEGRATION NAME --oauth-client CLIENT`",
            )),
        };
    let ctx = Ctx::load(global)?;
    ctx.check_writable("connections create")?;
    // One listing call: a name already taken is refused before anything is sent (before the
    // prompt, so nobody types a secret for nothing; after the local checks otherwise).
    let prompted = matches!(source, Source::Prompt);
    if prompted {
        name_free(&ctx, &a.integration, &a.name).await?;
    }
    let secret = match source {
        Source::Stdin => read_secret_stdin(field)?,
        Source::Generate => new_password(&ctx.password(a.length, a.charset)?)?,
        Source::Prompt => prompt_secret(field, kind == ConnectionKind::BasicAuth)?,
    };
    let generated = matches!(source, Source::Generate);
    let credential = match kind {
        ConnectionKind::BasicAuth => NewCredential::BasicAuth {
            username: a.username.clone().unwrap_or_default(),
            password: secret.clone(),
        },
        ConnectionKind::ApiKey => NewCredential::ApiKey {
            header_name: a.header_name.clone().unwrap_or_default(),
            api_key: secret.clone(),
        },
        _ => NewCredential::BearerToken {
            token: secret.clone(),
        },
    };
    let new = NewConnection {
        name: a.name.clone(),
        allowed_domain: a.allowed_domain.clone(),
        credential,
    };
    if !prompted {
        validate::new_connection(&new)?;
        name_free(&ctx, &a.integration, &a.name).await?;
    }
    // What was sent, for the record's tail when no answer says more.
    let sent = Connection {
        kind,
        name: a.name.clone(),
        allowed_domain: a.allowed_domain.clone(),
        username: a.username.clone(),
        header_name: a.header_name.clone(),
        created_at: None,
        updated_at: None,
        oauth: None,
    };
    let out = Generated::new(a.out.output);
    if generated {
        print_generated(&out, &a.integration, kind, &a.name, &secret).await?;
    }
    // After every prompt (Ctrl-C there still just ends the program), before the request.
    let mut signals = Signals::new();
    let res = tokio::select! {
        r = ctx.client.create_connection(&a.integration, &new) => r,
        code = signals.recv() => {
            let g = generated.then_some((&out, &sent));
            return Err(interrupted(code, g, &a.integration, &a.name, &ctx));
        }
    };
    match res {
        Ok(c) if generated => {
            out.tail(&a.integration, &c, Outcome::Applied, None, ctx.now)?;
            Ok(())
        }
        Ok(c) => print_connection(&ctx, a.out.output, &a.integration, &c),
        Err(e) if generated && may_have_applied(&e) => {
            // The connection may exist with this password: it was printed before it was sent.
            out.tail(
                &a.integration,
                &sent,
                Outcome::Unknown,
                Some(false),
                ctx.now,
            )?;
            warn(&format!(
                "{e}; the generated password was printed before it was sent (status: unknown) in \
                 case the connection was created: check with `zisctl connections show {} {}`",
                a.integration, a.name
            ));
            Err(CliError::silent(crate::exit::code_of(&e)))
        }
        Err(e) if generated => {
            out.tail(
                &a.integration,
                &sent,
                Outcome::NotApplied,
                Some(false),
                ctx.now,
            )?;
            Err(conflict_or(e, &ctx, &a.integration, &a.name).await)
        }
        Err(e) => Err(conflict_or(e, &ctx, &a.integration, &a.name).await),
    }
}

/// Refuse a name the integration already has (one listing call).
async fn name_free(ctx: &Ctx, integration: &str, name: &str) -> CliResult {
    let existing = ctx.client.list_connections(integration).await?;
    match existing.iter().find(|c| c.name == name) {
        Some(c) => Err(name_taken(integration, name, Some(c.kind))),
        None => Ok(()),
    }
}

/// "A connection named X already exists": exit 2, naming the kind when known.
fn name_taken(integration: &str, name: &str, kind: Option<ConnectionKind>) -> CliError {
    let kind = kind.map(|k| format!(" ({k})")).unwrap_or_default();
    CliError {
        code: 2,
        message: Some(format!(
            "a connection named {name} already exists{kind} in {integration}: nothing was \
             created (pick another name, or change it with `zisctl connections update`)"
        )),
    }
}

/// A create refused with 409 (another created the name meanwhile): say which connection
/// holds the name. Any other error as it is.
async fn conflict_or(e: Error, ctx: &Ctx, integration: &str, name: &str) -> CliError {
    if e.kind != ErrorKind::Conflict || may_have_applied(&e) {
        return e.into();
    }
    let kind = ctx
        .client
        .find_connection(integration, name)
        .await
        .ok()
        .map(|c| c.kind);
    name_taken(integration, name, kind)
}

pub async fn update(global: &GlobalArgs, a: UpdateArgs) -> CliResult {
    validate::integration_name(&a.integration)?;
    existing_connection_name(&a.name)?;
    if let Some(u) = &a.username {
        validate::username(u)?;
    }
    if let Some(h) = &a.header_name {
        validate::header_name(h)?;
    }
    // The kind the flags point at, if any.
    let basic = a.username.is_some() || a.password_stdin || a.generate;
    let api = a.header_name.is_some() || a.api_key_stdin;
    let bearer = a.token_stdin;
    let expected =
        match (basic, api, bearer) {
            (false, false, false) => None,
            (true, false, false) => Some(ConnectionKind::BasicAuth),
            (false, true, false) => Some(ConnectionKind::ApiKey),
            (false, false, true) => Some(ConnectionKind::BearerToken),
            _ => return Err(CliError::usage(
                "these flags belong to different kinds: --username/--password-stdin/--generate \
                 (basic_auth), --header-name/--api-key-stdin (api_key), --token-stdin \
                 (bearer_token)",
            )),
        };
    if expected.is_none() && !stdin_is_terminal() {
        return Err(CliError::usage(
            "nothing to change: give --username, --password-stdin or --generate (basic_auth), \
             --header-name or --api-key-stdin (api_key), --token-stdin (bearer_token)",
        ));
    }
    if let (true, Some(length)) = (a.generate, a.length) {
        check_length(length)?;
    }
    let ctx = Ctx::load(global)?;
    ctx.check_writable("connections update")?;
    // Secrets from stdin or the generator first: an empty stdin is refused before any request.
    let mut secret: Option<SecretString> = None;
    if a.password_stdin {
        secret = Some(read_secret_stdin("password")?);
    } else if a.api_key_stdin {
        secret = Some(read_secret_stdin("api key")?);
    } else if a.token_stdin {
        secret = Some(read_secret_stdin("token")?);
    } else if a.generate {
        secret = Some(new_password(&ctx.password(a.length, a.charset)?)?);
    }
    let before = ctx.client.find_connection(&a.integration, &a.name).await?;
    let kind = before.kind;
    if kind == ConnectionKind::OAuth {
        return Err(CliError::usage(format!(
            "{}/{} is an oauth connection: it is renewed through the OAuth flow, not updated \
             here (`zisctl connections authorize {} {} --oauth-client CLIENT`)",
            a.integration, a.name, a.integration, a.name
        )));
    }
    if let Some(exp) = expected {
        if exp != kind {
            let flags = match kind {
                ConnectionKind::BasicAuth => "--username, --password-stdin or --generate",
                ConnectionKind::ApiKey => "--header-name or --api-key-stdin",
                _ => "--token-stdin",
            };
            return Err(CliError::usage(format!(
                "{}/{} is a {kind} connection: use {flags}",
                a.integration, a.name
            )));
        }
    }
    if expected.is_none() {
        // On a terminal with no flags: ask for the new secret of this kind.
        let (field, confirm) = match kind {
            ConnectionKind::BasicAuth => ("new password", true),
            ConnectionKind::ApiKey => ("new api key", false),
            _ => ("new token", false),
        };
        secret = Some(prompt_secret(field, confirm)?);
    }
    let update = match kind {
        ConnectionKind::BasicAuth => ConnectionUpdate::BasicAuth {
            username: a.username.clone(),
            password: secret.clone(),
        },
        ConnectionKind::ApiKey => ConnectionUpdate::ApiKey {
            header_name: a.header_name.clone(),
            api_key: secret.clone(),
        },
        _ => ConnectionUpdate::BearerToken {
            token: secret.clone(),
        },
    };
    let generated = if a.generate { secret.as_ref() } else { None };
    let out = Generated::new(a.out.output);
    if let Some(pw) = generated {
        print_generated(&out, &a.integration, kind, &a.name, pw).await?;
    }
    // After every prompt (Ctrl-C there still just ends the program), before the request.
    let mut signals = Signals::new();
    let res = tokio::select! {
        r = ctx.client.update_connection(&a.integration, &a.name, &update) => r,
        code = signals.recv() => {
            let g = generated.map(|_| (&out, &before));
            return Err(interrupted(code, g, &a.integration, &a.name, &ctx));
        }
    };
    match res {
        Ok(()) => {}
        Err(e) if generated.is_some() && may_have_applied(&e) => {
            out.tail(
                &a.integration,
                &before,
                Outcome::Unknown,
                Some(false),
                ctx.now,
            )?;
            warn(&format!(
                "{e}; the generated password was printed before it was sent (status: unknown) \
                 because the change may have been applied: check it, or run the update again"
            ));
            return Err(CliError::silent(crate::exit::code_of(&e)));
        }
        Err(e) if generated.is_some() => {
            out.tail(
                &a.integration,
                &before,
                Outcome::NotApplied,
                Some(false),
                ctx.now,
            )?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    let read_back = tokio::select! {
        r = ctx.client.get_connection(&a.integration, kind, &a.name) => r,
        code = signals.recv() => {
            if generated.is_some() {
                let _ = out.tail(&a.integration, &before, Outcome::Applied, Some(false), ctx.now);
            }
            return Err(CliError {
                code,
                message: Some(
                    "interrupted after the change was applied, before it was read back".into(),
                ),
            });
        }
    };
    let (after, verified) = match read_back {
        Ok(c) => {
            let moved = match (before.updated_at, c.updated_at) {
                (Some(b), Some(n)) => n > b,
                (None, Some(_)) => true,
                _ => false,
            };
            (c, moved)
        }
        Err(e) => {
            warn(&format!("updated, but it could not be read back: {e}"));
            (before, false)
        }
    };
    if generated.is_some() {
        out.tail(
            &a.integration,
            &after,
            Outcome::Applied,
            Some(verified),
            ctx.now,
        )?;
        return Ok(());
    }
    print_connection(&ctx, a.out.output, &a.integration, &after)
}

pub async fn delete(
    global: &GlobalArgs,
    integration: &str,
    name: &str,
    yes: bool,
    delete_reserved: bool,
) -> CliResult {
    validate::integration_name(integration)?;
    existing_connection_name(name)?;
    if oauth_validate::is_reserved(name) && !delete_reserved {
        return Err(CliError::usage(refuse_reserved(integration)));
    }
    let ask = !yes;
    if ask && !stdin_is_terminal() {
        return Err(CliError::usage(
            "refusing to delete without confirmation: stdin is not a terminal; add --yes",
        ));
    }
    let ctx = Ctx::load(global)?;
    ctx.check_writable("connections delete")?;
    let c = ctx.client.find_connection(integration, name).await?;
    if ask {
        let q = if c.kind == ConnectionKind::OAuth {
            format!(
                "Delete oauth connection {integration}/{name}? Its tokens are gone with it; \
                 only a new OAuth flow makes it again."
            )
        } else {
            format!(
                "Delete {} connection {integration}/{name} (allowed domain {})? This cannot be \
                 undone.",
                c.kind,
                crate::sanitize::clean(&c.allowed_domain)
            )
        };
        if !super::input::confirm(&q)? {
            warn("not deleted: nothing was changed (cancelled)");
            return Err(CliError::silent(crate::exit::CANCELLED));
        }
    }
    ctx.client
        .delete_any_connection(integration, c.kind, name)
        .await?;
    warn(&format!(
        "deleted {} connection {integration}/{name}",
        c.kind
    ));
    Ok(())
}

/// Why the reserved `zendesk` connection is not deleted without `--delete-reserved`.
pub(super) fn refuse_reserved(integration: &str) -> String {
    format!(
        "refused: {integration}/zendesk is the integration's reserved OAuth connection to \
         Zendesk; every bundle action that calls Zendesk uses it, and zisctl cannot recreate \
         it. Add --delete-reserved (with --yes) to delete it anyway"
    )
}
