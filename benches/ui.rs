//! The TUI on a large account, through the code paths the app runs: `app::update` for every
//! key and every answer, `ui::view` drawn by `Terminal::draw` into ratatui's `TestBackend`.
//!
//! The account mirrors `zisctl sandbox --synthetic 100x100`: 100 integrations of 100
//! connections (basic_auth / api_key / bearer_token in turn, a dozen services, ages up to 800
//! days), loaded through `update` exactly as the worker's answers load it. The table shows the
//! "All connections" view: 10,000 rows, INTEGRATION and FINDINGS columns included. The frame
//! and a filter keystroke are also measured for one integration of 10,000 connections.
//!
//! Targets (issue 6): one frame of 10,000 rows at 200x60 <= 1 ms; one filter keystroke over
//! 10,000 connections <= 2 ms. The state caches the table rows (rebuilt only when the data,
//! filter, sort or view change) and the view builds only the visible rows, so both the frame
//! drawn from cached rows and the costs of a change (a reload of one integration, a
//! re-sort, a keystroke) are measured.
use std::cell::Cell;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use zisctl::app::testing::{ch, conn, ctx, integration, key, NOW};
use zisctl::app::{init, update, update_all, Action, Effect, LeftSel, Pane, State};
use zisctl::zis::{Connection, ConnectionKind, TokenSource};

const W: u16 = 200;
const H: u16 = 60;
const INTEGRATIONS: usize = 100;
const PER: usize = 100;

const SERVICES: &[(&str, &str, &str)] = &[
    ("salesforce", "login.salesforce.com", "Authorization"),
    ("stripe", "api.stripe.com", "Authorization"),
    ("slack", "slack.com", "Authorization"),
    ("jira", "acme.atlassian.net", "Authorization"),
    ("github", "api.github.com", "Authorization"),
    ("workday", "wd2-impl-services1.workday.com", "X-Workday-Key"),
    ("okta", "acme.okta.com", "Authorization"),
    ("shopify", "acme.myshopify.com", "X-Shopify-Access-Token"),
    ("hubspot", "api.hubapi.com", "X-API-Key"),
    ("pagerduty", "events.pagerduty.com", "X-Routing-Key"),
    ("twilio", "api.twilio.com", "X-API-Key"),
    ("sendgrid", "api.sendgrid.com", "X-API-Key"),
];

/// A small deterministic generator (the sandbox uses the same kind).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn integration_name(i: usize) -> String {
    format!("synthetic-{i:04}")
}

/// The connections of integration `i` (1-based), like the sandbox's synthetic seed.
fn connections_of(i: usize) -> Vec<Connection> {
    let mut rng = SplitMix(i as u64 * 7919);
    (1..=PER)
        .map(|j| {
            let (svc, domain, header) = SERVICES[(rng.next() % SERVICES.len() as u64) as usize];
            let updated = (rng.next() % 801) as i64;
            let created = updated + (rng.next() % 401) as i64;
            let name = format!("{svc}_{j:04}");
            match j % 3 {
                1 => conn(
                    ConnectionKind::BasicAuth,
                    &name,
                    &format!("svc-{svc}@acme.example"),
                    domain,
                    created,
                    updated,
                ),
                2 => conn(
                    ConnectionKind::ApiKey,
                    &name,
                    header,
                    domain,
                    created,
                    updated,
                ),
                _ => conn(
                    ConnectionKind::BearerToken,
                    &name,
                    "",
                    domain,
                    created,
                    updated,
                ),
            }
        })
        .collect()
}

/// Answer the load effects in `fx` the way the worker does, one action per answer.
fn answer(state: &mut State, fx: Vec<Effect>) {
    let mut queue = fx;
    while let Some(e) = queue.pop() {
        match e {
            Effect::LoadIntegrations { req } => {
                let list = (1..=INTEGRATIONS)
                    .map(|i| {
                        integration(
                            &integration_name(i),
                            &format!("Synthetic integration {i} of {INTEGRATIONS}"),
                            10_000 + i as u64,
                        )
                    })
                    .collect();
                queue.extend(update(
                    state,
                    Action::IntegrationsLoaded {
                        req,
                        result: Ok(list),
                        now: NOW,
                    },
                ));
            }
            Effect::LoadConnections { req, integration } => {
                let i: usize = integration["synthetic-".len()..].parse().unwrap();
                queue.extend(update(
                    state,
                    Action::ConnectionsLoaded {
                        req,
                        integration,
                        result: Ok(connections_of(i)),
                        token: Some(TokenSource::Minted),
                        now: NOW,
                    },
                ));
            }
            _ => {}
        }
    }
}

/// The 100x100 account loaded, in the All view (10,000 rows), the table focused.
fn account() -> State {
    let mut s = State::new(ctx(), NOW);
    s.size = (W, H);
    let fx = init(&mut s);
    answer(&mut s, fx);
    update(&mut s, ch('a'));
    // As the runtime does after its first frame: paging moves by the rows a 200x60 table shows.
    zisctl::app::testing::report_viewport(&mut s, W, H);
    assert_eq!(s.left_sel, LeftSel::All);
    assert_eq!(s.focus, Pane::Connections);
    assert_eq!(s.rows.len(), INTEGRATIONS * PER);
    s
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(W, H)).expect("test backend")
}

fn draw(t: &mut Terminal<TestBackend>, s: &State) {
    t.draw(|f| zisctl::ui::view(s, f)).expect("draw");
}

/// Time `iters` calls of `step(i)`, where `i` keeps counting across criterion's batches so
/// that alternating steps (type, erase) stay in phase.
fn alternating(iters: u64, phase: &Cell<u64>, mut step: impl FnMut(u64) -> Duration) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let i = phase.get();
        phase.set(i + 1);
        total += step(i);
    }
    total
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("ui 200x60");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // 1. A frame from the cached rows: what every redraw costs when nothing else changed.
    {
        let s = account();
        let mut t = terminal();
        draw(&mut t, &s);
        g.bench_function("all 10,000: frame (cached rows)", |b| {
            b.iter(|| draw(&mut t, black_box(&s)))
        });
    }

    // 2. Scrolling: `j` through update, then the frame (every frame differs).
    {
        let mut s = account();
        let mut t = terminal();
        let phase = Cell::new(0);
        g.bench_function("all 10,000: j/k + frame", |b| {
            b.iter_custom(|iters| {
                alternating(iters, &phase, |i| {
                    // 40 down, 40 up: the window moves, the selection walks through it.
                    let k = if (i / 40) % 2 == 0 { 'j' } else { 'k' };
                    let t0 = Instant::now();
                    update(&mut s, ch(k));
                    draw(&mut t, &s);
                    t0.elapsed()
                })
            })
        });
        g.bench_function("all 10,000: PageDown/PageUp + frame", |b| {
            b.iter_custom(|iters| {
                alternating(iters, &phase, |i| {
                    let k = if (i / 20) % 2 == 0 {
                        KeyCode::PageDown
                    } else {
                        KeyCode::PageUp
                    };
                    let t0 = Instant::now();
                    update(&mut s, key(k));
                    draw(&mut t, &s);
                    t0.elapsed()
                })
            })
        });
    }

    // 3. The first frame after the data changed: one integration's list reloaded (its 100
    //    connections answered again), which re-audits and rebuilds the 10,000 rows.
    {
        let mut s = account();
        let mut t = terminal();
        draw(&mut t, &s);
        g.bench_function("all 10,000: reload of one integration + first frame", |b| {
            b.iter(|| {
                let fx = update(&mut s, ch('R'));
                // The refresh asks for the registry: answer it and one integration's list
                // (the others keep what they have).
                let req = fx
                    .iter()
                    .find_map(|e| match e {
                        Effect::LoadIntegrations { req } => Some(*req),
                        _ => None,
                    })
                    .expect("refresh loads the registry");
                let list = (1..=INTEGRATIONS)
                    .map(|i| integration(&integration_name(i), "", 10_000 + i as u64))
                    .collect();
                let fx = update(
                    &mut s,
                    Action::IntegrationsLoaded {
                        req,
                        result: Ok(list),
                        now: NOW,
                    },
                );
                let (req, name) = fx
                    .into_iter()
                    .find_map(|e| match e {
                        Effect::LoadConnections { req, integration } => Some((req, integration)),
                        _ => None,
                    })
                    .expect("a connections load");
                let i: usize = name["synthetic-".len()..].parse().unwrap();
                update(
                    &mut s,
                    Action::ConnectionsLoaded {
                        req,
                        integration: name,
                        result: Ok(connections_of(i)),
                        token: None,
                        now: NOW,
                    },
                );
                draw(&mut t, &s);
            })
        });
    }

    // 4. One filter keystroke over the 10,000 connections: "salesforc" + 'e', then Backspace,
    //    alternately (each is one keystroke that filters everything again).
    for fuzzy in [false, true] {
        let mut s = account();
        update(&mut s, ch('/'));
        if fuzzy {
            update(&mut s, zisctl::app::testing::ctrl('f'));
        }
        for c in "salesforc".chars() {
            update(&mut s, ch(c));
        }
        let mut t = terminal();
        let phase = Cell::new(0);
        let mode = if fuzzy { "fuzzy" } else { "substring" };
        let press = move |s: &mut State, i: u64| {
            if i % 2 == 0 {
                update(s, ch('e'));
            } else {
                update(s, key(KeyCode::Backspace));
            }
        };
        g.bench_function(format!("all 10,000: filter keystroke ({mode})"), |b| {
            b.iter_custom(|iters| {
                alternating(iters, &phase, |i| {
                    let t0 = Instant::now();
                    press(&mut s, i);
                    t0.elapsed()
                })
            })
        });
        g.bench_function(
            format!("all 10,000: filter keystroke ({mode}) + frame"),
            |b| {
                b.iter_custom(|iters| {
                    alternating(iters, &phase, |i| {
                        let t0 = Instant::now();
                        press(&mut s, i);
                        draw(&mut t, &s);
                        t0.elapsed()
                    })
                })
            },
        );
        assert!(!s.rows.is_empty() && s.rows.len() < INTEGRATIONS * PER);
    }

    // 4b. The same table for one integration of 10,000 connections (basic_auth, sorted by
    //     name): the frame, and a filter keystroke.
    {
        let mut s = zisctl::app::testing::big(W, H, INTEGRATIONS * PER);
        update(&mut s, key(KeyCode::Tab));
        assert_eq!(s.rows.len(), INTEGRATIONS * PER);
        let mut t = terminal();
        draw(&mut t, &s);
        g.bench_function("one integration of 10,000: frame (cached rows)", |b| {
            b.iter(|| draw(&mut t, black_box(&s)))
        });
        update(&mut s, ch('/'));
        for c in "conn_12".chars() {
            update(&mut s, ch(c));
        }
        let phase = Cell::new(0);
        g.bench_function("one integration of 10,000: filter keystroke + frame", |b| {
            b.iter_custom(|iters| {
                alternating(iters, &phase, |i| {
                    let t0 = Instant::now();
                    if i % 2 == 0 {
                        update(&mut s, ch('3'));
                    } else {
                        update(&mut s, key(KeyCode::Backspace));
                    }
                    draw(&mut t, &s);
                    t0.elapsed()
                })
            })
        });
    }

    // 5. Re-sorting: `s` cycles name, kind, age, domain, integration; the mean over the cycle.
    {
        let mut s = account();
        let mut t = terminal();
        g.bench_function("all 10,000: s (next sort key) + frame", |b| {
            b.iter(|| {
                update(&mut s, ch('s'));
                draw(&mut t, &s);
            })
        });
    }

    // 6. Loading the whole account: 101 answers, one `update` each, and as the TUI applies
    //    them when they arrive faster than it draws: in bursts (`update_all`, one recompute
    //    per burst; 10 answers a burst here).
    g.bench_function("load 100x100: one update per answer", |b| b.iter(account));
    g.bench_function("load 100x100: bursts of 10 answers", |b| {
        b.iter(|| {
            let mut s = State::new(ctx(), NOW);
            s.size = (W, H);
            let mut queue = init(&mut s);
            while !queue.is_empty() {
                let answers: Vec<Action> = queue
                    .drain(..queue.len().min(10))
                    .filter_map(|e| match e {
                        Effect::LoadIntegrations { req } => Some(Action::IntegrationsLoaded {
                            req,
                            result: Ok((1..=INTEGRATIONS)
                                .map(|i| integration(&integration_name(i), "", 10_000 + i as u64))
                                .collect()),
                            now: NOW,
                        }),
                        Effect::LoadConnections { req, integration } => {
                            let i: usize = integration["synthetic-".len()..].parse().unwrap();
                            Some(Action::ConnectionsLoaded {
                                req,
                                integration,
                                result: Ok(connections_of(i)),
                                token: Some(TokenSource::Minted),
                                now: NOW,
                            })
                        }
                        _ => None,
                    })
                    .collect();
                queue.extend(update_all(&mut s, answers));
            }
            assert_eq!(s.total_connections(), INTEGRATIONS * PER);
            s
        })
    });
    g.finish();
}

criterion_group!(ui, benches);
criterion_main!(ui);
