//! View snapshots (insta, TestBackend) at 80×24 and 120×40. Every screen is also checked for
//! the plaintext of the secrets typed or generated in it: they must not be in the buffer.
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use secrecy::ExposeSecret;
use zisctl::app::testing::{ch, ctrl, key, loaded, press, type_text, NOW};
use zisctl::app::{update, Action, Effect, Modal, State};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
/// A password typed into forms; it must never be drawn in clear unless revealed.
const TYPED: &str = "Hunter2-Canary-Pw";

fn render(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| zisctl::ui::view(state, f)).expect("draw");
    t
}

fn text_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Compare without ever printing the secret.
fn assert_absent(screen: &str, secret: &str, what: &str) {
    assert!(!secret.is_empty());
    let found = screen.contains(secret);
    assert!(!found, "{what}: a secret's plaintext is on screen");
}

fn snap(name: &str, state_at: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = state_at(w, h);
        let t = render(&state, w, h);
        let screen = text_of(&t);
        assert_absent(&screen, TYPED, name);
        for s in secrets_in(&state) {
            assert_absent(&screen, &s, name);
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

/// The plaintext of every secret the state holds (rotation passwords, client secrets).
fn secrets_in(state: &State) -> Vec<String> {
    match &state.modal {
        Some(Modal::Rotation(r)) => r
            .items
            .iter()
            .map(|i| i.password.expose_secret().to_string())
            .collect(),
        Some(Modal::Registered(r)) => r
            .secret
            .iter()
            .map(|s| s.expose_secret().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn list() {
    snap("list", |w, h| {
        let mut s = loaded(w, h);
        update(&mut s, key(KeyCode::Tab));
        s
    });
}
