//! `zisctl bundles list | show | check`: what the bundles of an integration contain, what uses
//! which connection, and what is wrong with them. Bundles, job specs and connections are read
//! with the integration's ZIS token; `check` reads its integrations concurrently, with at most
//! `--concurrency` requests on the wire (as `audit`).
use futures::StreamExt;

use crate::args::{CheckArgs, GlobalArgs, OutputFormat};
use crate::usage::{self, KnownConnection, Usage};
use crate::zis::{validate, BundleSet, Client, Connection, Error, ErrorKind};

use super::audit::MAX_CONCURRENCY;
use super::bundle_views::*;
use super::output::{self, render_record, Table};
use super::{combined_exit, warn, CliError, CliResult, Ctx, EXIT_FINDINGS};

/// Integrations under way at once (each waits for a request slot only while it sends).
const MAX_UNDER_WAY: usize = 1024;

/// The usage graph of one integration from what was read of it.
pub(super) fn graph(integration: &str, set: &BundleSet, conns: Option<&[Connection]>) -> Usage {
    let known: Option<Vec<KnownConnection<'_>>> = conns.map(|c| {
        c.iter()
            .map(|c| KnownConnection {
                name: &c.name,
                kind: c.kind,
                oauth_client: None,
            })
            .collect()
    });
    usage::build(integration, set, known.as_deref())
}

/// Read everything of one integration a usage graph needs: its bundles (`parallel` at a time)
/// and job specs, and its connections, all at once.
pub(super) async fn read_usage(
    client: &Client,
    integration: &str,
    parallel: usize,
) -> Result<Usage, Error> {
    let (set, conns) = futures::try_join!(
        client.load_bundles(integration, parallel),
        client.list_connections(integration)
    )?;
    Ok(graph(integration, &set, Some(&conns)))
}

pub async fn list(global: &GlobalArgs, integration: &str, fmt: OutputFormat) -> CliResult {
    validate::integration_name(integration)?;
    let ctx = Ctx::load(global)?;
    let mut bundles = ctx.client.list_bundles(integration).await?;
    bundles.sort_by(|a, b| a.name.cmp(&b.name).then(a.uuid.cmp(&b.uuid)));
    let views: Vec<BundleView> = bundles
        .iter()
        .map(|b| BundleView::new(integration, b))
        .collect();
    let text = match fmt {
        OutputFormat::Json => output::json(&views)?,
        OutputFormat::Csv => {
            let mut t = Table::new(BUNDLE_CSV);
            for v in &views {
                t.push(v.csv_row());
            }
            t.to_csv()
        }
        OutputFormat::Table => {
            if views.is_empty() {
                warn(&format!("no bundles in {integration}"));
            }
            let mut t = Table::new(BUNDLE_TABLE);
            for v in &views {
                t.push(v.row());
            }
            t.render()
        }
    };
    output::print(&text)?;
    Ok(())
}

/// A bundle name or uuid given on the command line.
fn bundle_name(name: &str) -> CliResult {
    if name.trim().is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        return Err(CliError::usage(
            "bundle: a name or uuid of 1-256 characters, no control characters",
        ));
    }
    Ok(())
}

pub async fn show(
    global: &GlobalArgs,
    integration: &str,
    name: &str,
    fmt: OutputFormat,
) -> CliResult {
    validate::integration_name(integration)?;
    bundle_name(name)?;
    let ctx = Ctx::load(global)?;
    let u = read_usage(&ctx.client, integration, 4).await?;
    let Some(b) = u.bundle(name) else {
        let mut e = Error::new(ErrorKind::NotFound, format!("no bundle named {name}"));
        e = e.with_context(format!("bundles of {integration}"));
        return Err(e.into());
    };
    let v = BundleDetailView::new(integration, b);
    let text = match fmt {
        OutputFormat::Json => output::json(&v)?,
        OutputFormat::Csv => {
            let mut t = Table::new(SHOW_CSV);
            for row in v.csv_rows(b) {
                t.push(row);
            }
            t.to_csv()
        }
        OutputFormat::Table => show_table(&v),
    };
    output::print(&text)?;
    Ok(())
}

fn show_table(v: &BundleDetailView) -> String {
    let mut pairs = vec![
        ("bundle", v.name.clone()),
        ("uuid", v.uuid.clone()),
        ("integration", v.integration.clone()),
    ];
    if !v.description.is_empty() {
        pairs.push(("description", v.description.clone()));
    }
    if let Some(why) = &v.unreadable {
        pairs.push(("not read", why.clone()));
    }
    let mut out = render_record(&pairs);
    let mut section = |t: Table| {
        if !t.rows.is_empty() {
            out.push('\n');
            out.push_str(&t.render());
        }
    };
    let mut t = Table::new(&["FLOW", "ACTIONS", "JOB SPECS"]);
    for f in &v.flows {
        let jobs = f
            .job_specs
            .iter()
            .map(|j| format!("{} ({})", j.name, installed_word(j.installed)))
            .collect::<Vec<_>>()
            .join(", ");
        t.push(vec![
            f.name.clone(),
            f.actions.join(", "),
            if jobs.is_empty() { "none".into() } else { jobs },
        ]);
    }
    section(t);
    let mut t = Table::new(&["ACTION", "METHOD", "TARGET", "CONNECTION"]);
    for a in &v.actions {
        let conn = match (&a.connection, a.dynamic, a.zendesk_path) {
            (Some(c), _, _) => c.clone(),
            (None, true, _) => "(chosen at run time)".into(),
            (None, false, true) => "(none: fails with 401)".into(),
            (None, false, false) => "(none)".into(),
        };
        t.push(vec![
            a.name.clone(),
            a.method.clone(),
            a.target.clone(),
            conn,
        ]);
    }
    section(t);
    let mut t = Table::new(&["JOB SPEC", "EVENT", "FLOW", "INSTALLED"]);
    for j in &v.job_specs {
        t.push(vec![
            j.name.clone(),
            j.event.clone(),
            j.flow.clone(),
            yes_no(j.installed).into(),
        ]);
    }
    section(t);
    let mut t = Table::new(&["OTHER RESOURCE", "TYPE"]);
    for o in &v.other_resources {
        t.push(vec![o.name.clone(), o.type_name.clone()]);
    }
    section(t);
    let mut t = Table::new(&["RESOURCE", "PROBLEM", "DETAIL"]);
    for p in &v.problems {
        let label = usage::ProblemKind::ALL
            .iter()
            .find(|k| k.code() == p.problem)
            .map_or(p.problem, |k| k.label());
        t.push(vec![
            p.resource.clone().unwrap_or_else(|| usage::NONE.into()),
            label.into(),
            p.detail.clone(),
        ]);
    }
    if t.rows.is_empty() {
        out.push_str("\nno problems\n");
    } else {
        section(t);
    }
    out
}

fn installed_word(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "installed",
        Some(false) => "not installed",
        None => "installed?",
    }
}

pub async fn check(global: &GlobalArgs, a: CheckArgs) -> CliResult<i32> {
    for i in &a.integrations {
        validate::integration_name(i)?;
    }
    if !(1..=MAX_CONCURRENCY).contains(&a.concurrency) {
        return Err(CliError::usage(format!(
            "--concurrency: between 1 and {MAX_CONCURRENCY}"
        )));
    }
    let ctx = Ctx::load(global)?;
    let mut names: Vec<String> = if a.integrations.is_empty() {
        ctx.client
            .list_integrations()
            .await?
            .into_iter()
            .map(|i| i.name)
            .collect()
    } else {
        a.integrations.clone()
    };
    names.sort();
    names.dedup();
    let total = names.len();
    let client = &ctx.client.with_max_in_flight(a.concurrency);
    let parallel = a.concurrency;
    let mut results = futures::stream::iter(names)
        .map(|name| async move {
            let r = read_usage(client, &name, parallel).await;
            (name, r)
        })
        .buffer_unordered(MAX_UNDER_WAY);
    let mut graphs: Vec<Usage> = Vec::new();
    let mut failures = Vec::new();
    while let Some((_, r)) = results.next().await {
        match r {
            Ok(u) => graphs.push(u),
            Err(e) => {
                warn(&e.to_string());
                failures.push(crate::exit::code_of(&e));
            }
        }
    }
    graphs.sort_by(|x, y| x.integration.cmp(&y.integration));
    let problems: Vec<(&str, &usage::Problem)> = graphs
        .iter()
        .flat_map(|u| u.problems.iter().map(move |p| (u.integration.as_str(), p)))
        .collect();
    let text = match a.out.output {
        OutputFormat::Json => {
            let views: Vec<ProblemView> = problems
                .iter()
                .map(|(i, p)| ProblemView::new(i, p))
                .collect();
            output::json(&views)?
        }
        OutputFormat::Csv => {
            let mut t = Table::new(CHECK_CSV);
            for (i, p) in &problems {
                t.push(problem_csv_row(&ProblemView::new(i, p)));
            }
            t.to_csv()
        }
        OutputFormat::Table => {
            let mut t = Table::new(CHECK_TABLE);
            for (i, p) in &problems {
                t.push(problem_table_row(i, p));
            }
            let bundles: usize = graphs.iter().map(|u| u.bundles.len()).sum();
            let mut s = if problems.is_empty() {
                String::new()
            } else {
                t.render()
            };
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(&format!(
                "{} problem(s) in {bundles} bundle(s) of {} integration(s)\n",
                problems.len(),
                graphs.len()
            ));
            s
        }
    };
    output::print(&text)?;
    if !failures.is_empty() {
        warn(&format!(
            "{} of {total} integration(s) could not be read; the check above is incomplete",
            failures.len()
        ));
    }
    let code = combined_exit(graphs.len(), &failures);
    if code == 0 && a.fail_on_findings && !problems.is_empty() {
        return Ok(EXIT_FINDINGS);
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_names() {
        assert!(bundle_name("example bundle").is_ok());
        assert_eq!(bundle_name(" ").err().map(|e| e.code), Some(2));
        assert_eq!(bundle_name("a\x1bb").err().map(|e| e.code), Some(2));
        assert_eq!(bundle_name(&"x".repeat(300)).err().map(|e| e.code), Some(2));
    }
}
