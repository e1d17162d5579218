//! `update` unit tests of the connection form's own keys: Ctrl-G with the profile's password
//! settings, copying the form's password, and `n` in the All view asking which integration.
use crossterm::event::KeyCode;
use secrecy::ExposeSecret;

use super::testing::*;
use super::*;

fn form(s: &State) -> &Form {
    match &s.modal {
        Some(Modal::Form(f)) => f,
        _ => panic!("expected a form"),
    }
}

/// The profile's policy: 20 characters, none of `~ ^ ? #`.
fn strict() -> crate::secret::Policy {
    crate::secret::Policy::new(20, crate::secret::Charset::Default, "~^?#").unwrap()
}

#[test]
fn ctrl_g_follows_the_profiles_length_and_charset() {
    let mut s = loaded(120, 40);
    s.password = strict();
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(form(&s).focus, FieldId::Password);
    for _ in 0..20 {
        update(&mut s, ctrl('g'));
        let pw = form(&s)
            .field(FieldId::Password)
            .unwrap()
            .text()
            .to_string();
        assert_eq!(pw.chars().count(), 20);
        assert!(!pw.contains(['~', '^', '?', '#']), "a refused character");
    }
}

#[test]
fn the_rotation_window_follows_the_profiles_length_and_charset() {
    let mut s = loaded(120, 40);
    s.password = strict();
    update(&mut s, key(KeyCode::Tab));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some("salesforce_prod") {
            break;
        }
        update(&mut s, ch('j'));
    }
    update(&mut s, ch('r'));
    let Some(Modal::Rotation(r)) = &s.modal else {
        panic!("expected the rotation window");
    };
    let pw = r.items[0].password.expose_secret();
    assert_eq!(pw.chars().count(), 20);
    assert!(!pw.contains(['~', '^', '?', '#']), "a refused character");
}
