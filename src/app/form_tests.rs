//! `update` unit tests of the connection form's own keys: Ctrl-G with the profile's password
//! settings, copying the form's password, and `n` in the All view asking which integration.
use crossterm::event::KeyCode;
use secrecy::ExposeSecret;

use super::testing::*;
use super::*;

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

/// Ctrl-G from another field fills the Password field and leaves the cursor where it was.
#[test]
fn ctrl_g_from_the_name_field_fills_the_password() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Tab));
    let at = form(&s).focus;
    assert_ne!(at, FieldId::Password);
    update(&mut s, ctrl('g'));
    let f = form(&s);
    assert_eq!(f.focus, at, "the cursor stays");
    assert_eq!(f.error, None);
    assert_eq!(
        f.field(FieldId::Password).unwrap().text().chars().count(),
        32
    );
}

#[test]
fn the_rotation_window_follows_the_profiles_length_and_charset() {
    let mut s = loaded(120, 40);
    s.password = strict();
    update(&mut s, key(KeyCode::Tab));
    select(&mut s, "salesforce_prod");
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

fn picker(s: &State) -> &IntegrationPicker {
    match &s.modal {
        Some(Modal::PickIntegration(p)) => p,
        _ => panic!("expected the integration picker"),
    }
}

#[test]
fn n_in_the_all_view_asks_which_integration_then_opens_its_form() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('a'));
    assert_eq!(s.focus, Pane::Connections);
    let current = s.selected_connection().map(|(i, _)| i.to_string()).unwrap();
    let fx = update(&mut s, ch('n'));
    assert!(fx.is_empty());
    assert_eq!(
        picker(&s).selected,
        current,
        "the selected row's integration first"
    );
    // Typing filters; j and k are letters of names here, the arrows move.
    type_text(&mut s, "crm");
    assert_eq!(picker(&s).query, "crm");
    assert_eq!(picker(&s).selected, "acme_crm_sync");
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Down));
    let names: Vec<String> = s
        .integrations
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    assert_eq!(picker(&s).selected, names[1], "Down from the first");
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    assert_eq!(picker(&s).selected, names[0], "Up stops at the top");
    // Nothing matches: Enter opens nothing.
    type_text(&mut s, "zzz");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.modal, Some(Modal::PickIntegration(_))));
    update(&mut s, ctrl('u'));
    assert_eq!(picker(&s).query, "");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    match &form(&s).purpose {
        FormPurpose::Create { integration } => assert_eq!(integration, &names[1]),
        _ => panic!("expected a create form"),
    }
    // Esc in the picker: nothing opens.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn n_on_an_integration_opens_its_form_without_asking() {
    let mut s = loaded(120, 40);
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('n'));
    assert!(matches!(&form(&s).purpose, FormPurpose::Create { .. }));
}
