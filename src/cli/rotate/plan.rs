//! Which connections a `rotate` run changes, and how: the NAMEs given, every basic_auth
//! connection of the integration (`--all`), or the ones the audit flags as stale (`--stale`);
//! each with the profile's recipe that matches it (set and test at the target) or none (the
//! admin sets it by hand). In bulk (`--all`, `--stale`) a connection without a recipe is
//! listed and skipped unless `--manual`. `--dry-run` prints the plan.
use futures::StreamExt;

use crate::args::{OutputFormat, RotateArgs};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::{Connection, ConnectionKind};

use super::super::{combined_exit, warn, CliResult, Ctx};
use super::steps::planned;
use super::{Target, CONCURRENCY};

/// The connections to rotate, sorted, and the exit codes of what could not be read (an
/// integration of `--stale` whose list failed). Recipes are matched unless the run is
/// `--prepare` / `--apply-prepared` (the admin sets the targets by hand there).
pub(super) async fn pick(
    ctx: &Ctx,
    a: &RotateArgs,
    integration: Option<&str>,
    prepared: Option<&[String]>,
) -> CliResult<(Vec<Target>, Vec<i32>)> {
    let mut failures = Vec::new();
    let bulk = a.all || a.stale;
    let mut targets: Vec<Target> = if a.all || a.stale {
        let names: Vec<String> = match integration {
            Some(i) => vec![i.to_string()],
            None => ctx
                .client
                .list_integrations()
                .await?
                .into_iter()
                .map(|i| i.name)
                .collect(),
        };
        let mut items: Vec<(String, Connection)> = Vec::new();
        let mut lists = futures::stream::iter(names)
            .map(|n| async move {
                let r = ctx.client.list_connections(&n).await;
                (n, r)
            })
            .buffer_unordered(CONCURRENCY);
        while let Some((n, r)) = lists.next().await {
            match r {
                Ok(list) => items.extend(list.into_iter().map(|c| (n.clone(), c))),
                // One integration named: its failure is the run's.
                Err(e) if integration.is_some() => return Err(e.into()),
                Err(e) => {
                    warn(&format!("{e}; its stale connections are not rotated"));
                    failures.push(crate::exit::code_of(&e));
                }
            }
        }
        items.retain(|(_, c)| c.kind == ConnectionKind::BasicAuth);
        if a.stale {
            let days = a.older_than.unwrap_or(ctx.settings.stale_days);
            items = crate::audit::audit(items, ctx.now, days)
                .into_iter()
                .filter(|r| r.stale)
                .map(|r| (r.integration, r.connection))
                .collect();
        }
        items
            .into_iter()
            .map(|(i, c)| Target {
                integration: i,
                name: c.name.clone(),
                conn: Some(c),
                recipe: None,
                skip: false,
            })
            .collect()
    } else {
        let integration = integration.unwrap_or_default();
        let names: Vec<String> = match prepared {
            Some(p) => p.to_vec(),
            None => {
                let mut seen = std::collections::HashSet::new();
                a.names
                    .iter()
                    .filter(|n| seen.insert(n.as_str()))
                    .cloned()
                    .collect()
            }
        };
        names
            .into_iter()
            .map(|name| Target {
                integration: integration.to_string(),
                name,
                conn: None,
                recipe: None,
                skip: false,
            })
            .collect()
    };
    targets.sort_by(|x, y| (&x.integration, &x.name).cmp(&(&y.integration, &y.name)));
    if !a.prepare && prepared.is_none() {
        for t in &mut targets {
            t.recipe = ctx.settings.recipes.find(&t.integration, &t.name).cloned();
            t.skip = bulk && t.recipe.is_none() && !a.manual;
        }
    }
    if bulk {
        let manual: Vec<String> = targets
            .iter()
            .filter(|t| t.recipe.is_none())
            .map(|t| format!("{}/{}", clean(&t.integration), clean(&t.name)))
            .collect();
        if !manual.is_empty() && !a.prepare {
            let what = if a.manual {
                "rotated by hand (set each printed password at its target)"
            } else {
                "skipped (--manual rotates them by hand)"
            };
            warn(&format!(
                "no rotation recipe for {} connection(s), {what}: {}",
                manual.len(),
                manual.join(", ")
            ));
        }
    }
    Ok((targets, failures))
}

/// One row of `--dry-run`: a password that would change, and how.
#[derive(serde::Serialize)]
struct PlanRecord {
    integration: String,
    name: String,
    kind: &'static str,
    /// When its password last changed (null: unknown).
    updated_at: Option<String>,
    /// `rotate`, or `skip` (no recipe, and no --manual).
    action: &'static str,
    /// The matching recipe's `match` pattern (null: none, set by hand).
    recipe: Option<String>,
    /// The recipe's steps at the target (its describe()), or `manual`.
    how: String,
    /// The steps zisctl would run, in order.
    steps: Vec<&'static str>,
}

/// `--dry-run`: what would change, each connection read (never written); no password is made
/// and nothing is run at a target.
pub(super) async fn dry_run(
    ctx: &Ctx,
    targets: Vec<Target>,
    format: OutputFormat,
    mut failures: Vec<i32>,
) -> CliResult<i32> {
    let mut plan = Vec::new();
    for t in targets {
        let at = match &t.conn {
            Some(c) => c.updated_at,
            None => match ctx
                .client
                .get_connection(&t.integration, ConnectionKind::BasicAuth, &t.name)
                .await
            {
                Ok(c) => c.updated_at,
                Err(e) => {
                    warn(&e.to_string());
                    failures.push(crate::exit::code_of(&e));
                    continue;
                }
            },
        };
        plan.push(PlanRecord {
            integration: clean(&t.integration),
            name: clean(&t.name),
            kind: "basic_auth",
            updated_at: at.map(|t| format_time(Some(t))),
            action: if t.skip { "skip" } else { "rotate" },
            recipe: t.recipe.as_ref().map(|r| clean(&r.pattern)),
            how: match &t.recipe {
                Some(r) => clean(&r.describe()),
                None => "manual".into(),
            },
            steps: planned(t.recipe.as_ref()),
        });
    }
    let text = match format {
        OutputFormat::Json => super::super::output::json(&plan)?,
        OutputFormat::Csv | OutputFormat::Table => {
            let mut t = super::super::output::Table::new(&[
                "INTEGRATION",
                "NAME",
                "KIND",
                "UPDATED AT",
                "ACTION",
                "RECIPE",
                "STEPS",
            ]);
            for p in &plan {
                t.push(vec![
                    p.integration.clone(),
                    p.name.clone(),
                    p.kind.into(),
                    p.updated_at.clone().unwrap_or_else(|| "-".into()),
                    p.action.into(),
                    p.recipe.clone().unwrap_or_else(|| "manual".into()),
                    if format == OutputFormat::Csv {
                        p.steps.join(";")
                    } else {
                        format!("{} ({})", p.steps.join(" → "), p.how)
                    },
                ]);
            }
            if format == OutputFormat::Csv {
                t.to_csv()
            } else {
                t.render()
            }
        }
    };
    super::super::output::print(&text)?;
    let changing = plan.iter().filter(|p| p.action == "rotate").count();
    let at_target = plan
        .iter()
        .filter(|p| p.action == "rotate" && p.recipe.is_some())
        .count();
    warn(&format!(
        "dry run: {changing} password(s) would change ({at_target} through a recipe); nothing \
         was sent, nothing was run at a target"
    ));
    Ok(combined_exit(plan.len(), &failures))
}
