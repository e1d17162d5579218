//! Colours and styles. With `NO_COLOR` every style falls back to bold / reverse / dim.
use ratatui::style::{Color, Modifier, Style};

use crate::app::Level;
use crate::zis::ConnectionKind;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn c(&self, style: Style, plain: Style) -> Style {
        if self.color {
            style
        } else {
            plain
        }
    }

    pub fn base(&self) -> Style {
        Style::default()
    }

    pub fn dim(&self) -> Style {
        self.c(
            Style::default().fg(Color::DarkGray),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    pub fn muted(&self) -> Style {
        self.c(Style::default().fg(Color::Gray), Style::default())
    }

    pub fn bold(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.c(
            Style::default().fg(Color::Cyan),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// The part of a cell the `/` filter matched: underlined, in colour too (so it shows on
    /// the selected row and without colour).
    pub fn matched(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::UNDERLINED),
            Style::default().add_modifier(Modifier::UNDERLINED),
        )
    }

    pub fn key(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn title(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.c(
                Style::default().fg(Color::Cyan),
                Style::default().add_modifier(Modifier::BOLD),
            )
        } else {
            self.c(Style::default().fg(Color::DarkGray), Style::default())
        }
    }

    pub fn app_badge(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn status_bar(&self) -> Style {
        self.c(
            Style::default().bg(Color::Indexed(236)).fg(Color::Gray),
            Style::default(),
        )
    }

    pub fn selected(&self, focused: bool) -> Style {
        if focused {
            self.c(
                Style::default()
                    .bg(Color::Indexed(24))
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD),
                Style::default().add_modifier(Modifier::REVERSED),
            )
        } else {
            self.c(
                Style::default().bg(Color::Indexed(238)),
                Style::default().add_modifier(Modifier::UNDERLINED),
            )
        }
    }

    pub fn header(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn kind_badge(&self, kind: ConnectionKind) -> Style {
        let bg = match kind {
            ConnectionKind::BasicAuth => Color::Blue,
            ConnectionKind::ApiKey => Color::Magenta,
            ConnectionKind::BearerToken => Color::Green,
            ConnectionKind::OAuth => Color::Yellow,
        };
        self.c(
            Style::default().fg(Color::Black).bg(bg),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn stale(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn very_stale(&self) -> Style {
        self.c(
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn ok(&self) -> Style {
        self.c(
            Style::default().fg(Color::Green),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn error(&self) -> Style {
        self.c(
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn warn(&self) -> Style {
        self.c(
            Style::default().fg(Color::Yellow),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn mark(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::LightMagenta)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    pub fn banner(&self, level: Level) -> Style {
        let (fg, bg) = match level {
            Level::Error => (Color::White, Color::Red),
            Level::Warn => (Color::Black, Color::Yellow),
            Level::Info => (Color::Black, Color::Green),
        };
        self.c(
            Style::default().fg(fg).bg(bg).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn field(&self, focused: bool) -> Style {
        if focused {
            self.c(
                Style::default().bg(Color::Indexed(237)).fg(Color::White),
                Style::default().add_modifier(Modifier::UNDERLINED),
            )
        } else {
            self.c(
                Style::default().bg(Color::Indexed(235)),
                Style::default().add_modifier(Modifier::UNDERLINED),
            )
        }
    }

    pub fn label(&self, focused: bool) -> Style {
        if focused {
            self.key()
        } else {
            self.muted()
        }
    }

    pub fn secret(&self) -> Style {
        self.c(
            Style::default()
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }
}
