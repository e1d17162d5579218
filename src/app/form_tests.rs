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

#[test]
fn ctrl_y_copies_the_forms_password_and_nothing_else() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    // Nothing typed yet: nothing copied, and the form says how.
    let fx = update(&mut s, ctrl('y'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Copy { .. })));
    assert!(form(&s).error.as_deref().unwrap_or("").contains("Ctrl-G"));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ctrl('g'));
    let pw = form(&s)
        .field(FieldId::Password)
        .unwrap()
        .text()
        .to_string();
    let fx = update(&mut s, ctrl('y'));
    let copied = fx.iter().find_map(|e| match e {
        Effect::Copy { text, clear_after } => Some((text.expose_secret() == pw, *clear_after)),
        _ => None,
    });
    assert_eq!(
        copied,
        Some((true, Some(CLIPBOARD_CLEAR))),
        "the generated password"
    );
    assert!(s
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("copied the password")));
    // Still in the form, and Esc now asks before the copied password is thrown away.
    assert!(form(&s).field(FieldId::Password).is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(form(&s).confirm_discard);
    // In a text field, `c` is typed, not copied.
    update(&mut s, ch('x'));
    update(&mut s, key(KeyCode::BackTab));
    let fx = update(&mut s, ch('c'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Copy { .. })));
    assert!(form(&s)
        .field(FieldId::Username)
        .unwrap()
        .text()
        .ends_with('c'));
}

#[test]
fn a_kind_without_a_password_has_nothing_to_copy() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    update(&mut s, shift_tab());
    assert_eq!(form(&s).focus, FieldId::Kind);
    update(&mut s, key(KeyCode::Right));
    let fx = update(&mut s, ctrl('y'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Copy { .. })));
    assert!(form(&s).error.as_deref().unwrap_or("").contains("has none"));
}
