//! Rotation recipes as the profile writes them (`[[profiles.NAME.rotation]]`, see
//! config.example.toml), checked once when the config is read, and matched to a connection by
//! its `INTEGRATION/NAME` (globs: `*` any run of characters, `?` one character; the first
//! recipe that matches wins).
use std::time::Duration;

use serde::Deserialize;

/// How long a `set_command` may run unless the recipe says (`set_timeout_secs`).
pub const DEFAULT_SET_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a test (request or command) may take unless the recipe says (`test_timeout_secs`).
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest timeout a recipe may ask for (an hour).
const MAX_TIMEOUT_SECS: u64 = 3600;

/// One recipe as written in the profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeConfig {
    /// `INTEGRATION/NAME`, with `*` and `?` globs: `acme_crm/*`, `*/billing_?`.
    #[serde(rename = "match")]
    pub pattern: String,
    /// Sets the new password at the target: run with `sh -c`, one JSON object on stdin.
    pub set_command: Option<String>,
    pub set_timeout_secs: Option<u64>,
    /// The built-in test: a request to this URL with the new credential (Basic auth).
    pub test_url: Option<String>,
    /// GET (default), HEAD or POST.
    pub test_method: Option<String>,
    /// The status the test expects (default 200).
    pub test_status: Option<u16>,
    /// Or a program that proves the new password, with the same stdin as `set_command`.
    pub test_command: Option<String>,
    pub test_timeout_secs: Option<u64>,
}

/// A program to run: `sh -c COMMAND`, bounded by `timeout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub command: String,
    pub timeout: Duration,
}

/// The built-in test's method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMethod {
    Get,
    Head,
    Post,
}

impl TestMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TestMethod::Get => "GET",
            TestMethod::Head => "HEAD",
            TestMethod::Post => "POST",
        }
    }
}

/// How a recipe proves the new password at the target before ZIS takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestSpec {
    /// A request with the new credential; its status must be `status`.
    Url {
        url: url::Url,
        method: TestMethod,
        status: u16,
        timeout: Duration,
    },
    Command(CommandSpec),
}

/// A checked recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// As written (`INTEGRATION/NAME` glob): what the screens say matched.
    pub pattern: String,
    pub set: CommandSpec,
    pub test: Option<TestSpec>,
}

impl Recipe {
    /// The steps it runs at the target, for a screen: "set, test (GET https://…)".
    pub fn describe(&self) -> String {
        match &self.test {
            None => "set (command), no test".into(),
            Some(TestSpec::Url { url, method, .. }) => {
                format!("set (command), test ({} {})", method.as_str(), url)
            }
            Some(TestSpec::Command(_)) => "set (command), test (command)".into(),
        }
    }
}

/// The profile's recipes, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipes(Vec<Recipe>);

impl Recipes {
    /// Check every recipe; the error names the recipe (its position and `match`) and the rule.
    pub fn from_config(list: &[RecipeConfig]) -> Result<Recipes, String> {
        list.iter()
            .enumerate()
            .map(|(i, c)| {
                check(c).map_err(|why| {
                    format!(
                        "rotation recipe #{} (match = {:?}): {why}",
                        i + 1,
                        crate::sanitize::clean(&c.pattern)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Recipes)
    }

    pub fn new(list: Vec<Recipe>) -> Recipes {
        Recipes(list)
    }

    /// The first recipe whose pattern matches `INTEGRATION/NAME`.
    pub fn find(&self, integration: &str, name: &str) -> Option<&Recipe> {
        let key = format!("{integration}/{name}");
        self.0.iter().find(|r| glob(&r.pattern, &key))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Recipe> {
        self.0.iter()
    }
}

fn timeout(secs: Option<u64>, default: Duration, key: &str) -> Result<Duration, String> {
    match secs {
        None => Ok(default),
        Some(0) => Err(format!("{key} must be at least 1")),
        Some(s) if s > MAX_TIMEOUT_SECS => Err(format!("{key} must be at most {MAX_TIMEOUT_SECS}")),
        Some(s) => Ok(Duration::from_secs(s)),
    }
}

fn command(text: &Option<String>, key: &str) -> Result<Option<String>, String> {
    match text {
        None => Ok(None),
        Some(c) if c.trim().is_empty() => Err(format!("{key} is empty")),
        Some(c) => Ok(Some(c.clone())),
    }
}

fn check(c: &RecipeConfig) -> Result<Recipe, String> {
    let p = &c.pattern;
    let Some((int, name)) = p.split_once('/') else {
        return Err(
            "match must be INTEGRATION/NAME (globs * and ? allowed), e.g. \"acme/*\"".into(),
        );
    };
    if int.is_empty() || name.is_empty() || name.contains('/') {
        return Err(
            "match must be INTEGRATION/NAME (globs * and ? allowed), e.g. \"acme/*\"".into(),
        );
    }
    if p.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        return Err("match may not hold whitespace or control characters".into());
    }
    let Some(set) = command(&c.set_command, "set_command")? else {
        return Err(
            "set_command is required: it sets the new password at the target (a recipe \
             without one would rotate nothing there)"
                .into(),
        );
    };
    let set = CommandSpec {
        command: set,
        timeout: timeout(c.set_timeout_secs, DEFAULT_SET_TIMEOUT, "set_timeout_secs")?,
    };
    let test_timeout = timeout(
        c.test_timeout_secs,
        DEFAULT_TEST_TIMEOUT,
        "test_timeout_secs",
    )?;
    let test_command = command(&c.test_command, "test_command")?;
    let test = match (&c.test_url, test_command) {
        (Some(_), Some(_)) => {
            return Err("give test_url or test_command, not both".into());
        }
        (None, Some(command)) => {
            if c.test_method.is_some() || c.test_status.is_some() {
                return Err("test_method and test_status go with test_url".into());
            }
            Some(TestSpec::Command(CommandSpec {
                command,
                timeout: test_timeout,
            }))
        }
        (Some(u), None) => {
            let url = super::target::check_test_url_shape(u)?;
            let method = match c.test_method.as_deref().map(str::to_ascii_uppercase) {
                None => TestMethod::Get,
                Some(m) if m == "GET" => TestMethod::Get,
                Some(m) if m == "HEAD" => TestMethod::Head,
                Some(m) if m == "POST" => TestMethod::Post,
                Some(_) => return Err("test_method must be GET, HEAD or POST".into()),
            };
            let status = c.test_status.unwrap_or(200);
            if !(100..=599).contains(&status) {
                return Err("test_status must be an HTTP status (100 to 599)".into());
            }
            Some(TestSpec::Url {
                url,
                method,
                status,
                timeout: test_timeout,
            })
        }
        (None, None) => {
            if c.test_method.is_some() || c.test_status.is_some() {
                return Err("test_method and test_status go with test_url".into());
            }
            if c.test_timeout_secs.is_some() {
                return Err("test_timeout_secs goes with test_url or test_command".into());
            }
            None
        }
    };
    Ok(Recipe {
        pattern: p.clone(),
        set,
        test,
    })
}

/// `*` matches any run of characters (`/` included), `?` exactly one; everything else itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point (the last `*`): linear in practice.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pattern: &str) -> RecipeConfig {
        RecipeConfig {
            pattern: pattern.into(),
            set_command: Some("true".into()),
            ..Default::default()
        }
    }

    #[test]
    fn globs_match_as_documented() {
        assert!(glob("acme/*", "acme/billing"));
        assert!(glob("*/billing_?", "x/billing_1"));
        assert!(!glob("*/billing_?", "x/billing_12"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(glob("*", ""));
        assert!(!glob("acme/*", "acme2/x"));
        assert!(glob("exact/name", "exact/name"));
    }

    #[test]
    fn the_first_matching_recipe_wins() {
        let mut a = cfg("acme/special");
        a.set_command = Some("one".into());
        let mut b = cfg("acme/*");
        b.set_command = Some("two".into());
        let r = Recipes::from_config(&[a, b]).unwrap();
        assert_eq!(r.find("acme", "special").unwrap().set.command, "one");
        assert_eq!(r.find("acme", "other").unwrap().set.command, "two");
        assert!(r.find("other", "special").is_none());
    }

    #[test]
    fn bad_recipes_are_refused_with_the_rule() {
        let cases: Vec<(RecipeConfig, &str)> = vec![
            (cfg("no-slash"), "INTEGRATION/NAME"),
            (cfg("a/b/c"), "INTEGRATION/NAME"),
            (
                RecipeConfig {
                    set_command: None,
                    ..cfg("a/*")
                },
                "set_command is required",
            ),
            (
                RecipeConfig {
                    set_command: Some("  ".into()),
                    ..cfg("a/*")
                },
                "set_command is empty",
            ),
            (
                RecipeConfig {
                    test_url: Some("https://x.example/".into()),
                    test_command: Some("true".into()),
                    ..cfg("a/*")
                },
                "not both",
            ),
            (
                RecipeConfig {
                    test_url: Some("http://api.example.com/".into()),
                    ..cfg("a/*")
                },
                "https",
            ),
            (
                RecipeConfig {
                    test_url: Some("https://api.example.com/".into()),
                    test_method: Some("DELETE".into()),
                    ..cfg("a/*")
                },
                "GET, HEAD or POST",
            ),
            (
                RecipeConfig {
                    test_url: Some("https://api.example.com/".into()),
                    test_status: Some(42),
                    ..cfg("a/*")
                },
                "100 to 599",
            ),
            (
                RecipeConfig {
                    set_timeout_secs: Some(0),
                    ..cfg("a/*")
                },
                "at least 1",
            ),
            (
                RecipeConfig {
                    test_status: Some(200),
                    ..cfg("a/*")
                },
                "go with test_url",
            ),
        ];
        for (c, rule) in cases {
            let e = Recipes::from_config(&[c]).unwrap_err();
            assert!(e.contains(rule), "{e} should name {rule}");
            assert!(e.starts_with("rotation recipe #1"), "{e}");
        }
    }

    #[test]
    fn a_good_recipe_is_read_whole() {
        let r = Recipes::from_config(&[RecipeConfig {
            test_url: Some("https://api.example.com/ping".into()),
            test_method: Some("head".into()),
            test_status: Some(204),
            test_timeout_secs: Some(5),
            set_timeout_secs: Some(10),
            ..cfg("a/*")
        }])
        .unwrap();
        let recipe = r.find("a", "x").unwrap();
        assert_eq!(recipe.set.timeout, Duration::from_secs(10));
        match &recipe.test {
            Some(TestSpec::Url {
                method,
                status,
                timeout,
                url,
            }) => {
                assert_eq!(*method, TestMethod::Head);
                assert_eq!(*status, 204);
                assert_eq!(*timeout, Duration::from_secs(5));
                assert_eq!(url.as_str(), "https://api.example.com/ping");
            }
            other => panic!("unexpected test {other:?}"),
        }
    }
}
