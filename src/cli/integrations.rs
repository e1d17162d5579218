//! `zisctl integrations list | register`.
use crate::args::{GlobalArgs, OutputFormat};
use crate::zis::validate;

use super::output::{self, render_record, Table};
use super::views::{IntegrationView, RegisteredView, INTEGRATION_CSV, INTEGRATION_TABLE};
use super::{stdout_is_terminal, warn, CliError, CliResult, Ctx};

pub async fn list(global: &GlobalArgs, fmt: OutputFormat) -> CliResult {
    let ctx = Ctx::load(global)?;
    let mut list = ctx.client.list_integrations().await?;
    list.sort_by(|a, b| a.name.cmp(&b.name));
    let views: Vec<IntegrationView> = list.iter().map(IntegrationView::new).collect();
    let text = match fmt {
        OutputFormat::Json => output::json(&views)?,
        OutputFormat::Csv | OutputFormat::Table => {
            let headers = if fmt == OutputFormat::Csv {
                INTEGRATION_CSV
            } else {
                INTEGRATION_TABLE
            };
            let mut t = Table::new(headers);
            for v in &views {
                t.push(v.row());
            }
            if fmt == OutputFormat::Csv {
                t.to_csv()
            } else {
                if views.is_empty() {
                    warn("no integrations in this account");
                }
                t.render()
            }
        }
    };
    output::print(&text)?;
    Ok(())
}

pub async fn register(
    global: &GlobalArgs,
    name: &str,
    description: Option<&str>,
    show_secret: bool,
    update_existing: bool,
    fmt: OutputFormat,
) -> CliResult {
    validate::integration_name(name)?;
    let ctx = Ctx::load(global)?;
    ctx.check_writable("integrations register")?;
    // Registering a name the account already holds is an upsert: it replaces the description
    // and issues a new client secret, and the current one stops working. Only on request.
    let existing = ctx
        .client
        .list_integrations()
        .await?
        .into_iter()
        .find(|i| i.name == name);
    if existing.is_some() && !update_existing {
        return Err(CliError::usage(format!(
            "refused: integration {name} is already registered in this account; registering              it again replaces its description and issues a new OAuth client secret (the              current one stops working). Nothing was sent. Add --update-existing to do that"
        )));
    }
    let description = match (description, &existing) {
        (Some(d), _) => d.to_string(),
        (None, Some(i)) => i.description.clone(),
        (None, None) => String::new(),
    };
    // The new secret replaces the one in use: it is never dropped.
    let show_secret = show_secret || existing.is_some();
    if existing.is_some() && stdout_is_terminal() {
        warn(&format!(
            "re-registering {name}: its old OAuth client secret stops working; the new one is              printed below, this once"
        ));
    }
    let reg = ctx.client.register_integration(name, &description).await?;
    let view = RegisteredView::new(&reg, show_secret);
    if show_secret {
        match &reg.client_secret {
            Some(_) if stdout_is_terminal() => warn(
                "the OAuth client secret is printed below: Zendesk shows it this once; store it now",
            ),
            Some(_) => {}
            None => warn("the registry answer held no OAuth client secret"),
        }
    } else if reg.client_secret.is_some() {
        warn(
            "the OAuth client secret was not printed (--show-secret prints it); Zendesk shows it \
             only in this answer",
        );
    }
    let text = match fmt {
        OutputFormat::Json => output::json(&view)?,
        OutputFormat::Csv => {
            let mut headers = INTEGRATION_CSV.to_vec();
            let mut row = view.integration.row();
            if let Some(s) = view.oauth_client_secret {
                use secrecy::ExposeSecret;
                headers.push("oauth_client_secret");
                row.push(s.expose_secret().to_string());
            }
            let mut t = Table::new(&headers);
            t.push(row);
            t.to_csv()
        }
        OutputFormat::Table => {
            let i = &view.integration;
            let mut pairs = vec![
                ("name", i.name.clone()),
                ("description", i.description.clone()),
                (
                    "oauth client id",
                    i.oauth_client_id.map(|v| v.to_string()).unwrap_or_default(),
                ),
                (
                    "oauth client identifier",
                    i.oauth_client_identifier.clone().unwrap_or_default(),
                ),
            ];
            if let Some(s) = view.oauth_client_secret {
                use secrecy::ExposeSecret;
                pairs.push(("oauth client secret", s.expose_secret().to_string()));
            }
            render_record(&pairs)
        }
    };
    let text = zeroize::Zeroizing::new(text);
    output::print(&text)?;
    Ok(())
}
