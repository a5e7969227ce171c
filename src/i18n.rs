//! Every word a person reads, in zh-CN (first) and en, through Project Fluent.
//!
//! The messages live in `locales/<lang>/{pages,mail,errors}.ftl` and are compiled in.
//! Arguments are Fluent's `{ $name }`; a number argument selects plural forms
//! (`{ $n -> [one] … *[other] … }`). Error messages are keyed `error-<code>`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// From a stored locale (`zh-CN`, `en`); Chinese unless English is asked for.
    pub fn from_locale(s: &str) -> Lang {
        if s.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// From an `Accept-Language` header: the first of zh or en it names, else `default`.
    pub fn from_accept(header: Option<&str>, default: Lang) -> Lang {
        let Some(h) = header else { return default };
        for part in h.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::Zh;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        default
    }

    /// The BCP 47 tag: stored as a person's locale, and the `lang` attribute of pages.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// One language's files, in the order they are added to its bundle.
fn sources(lang: Lang) -> [(&'static str, &'static str); 3] {
    match lang {
        Lang::Zh => [
            ("zh-CN/pages.ftl", include_str!("../locales/zh-CN/pages.ftl")),
            ("zh-CN/mail.ftl", include_str!("../locales/zh-CN/mail.ftl")),
            ("zh-CN/errors.ftl", include_str!("../locales/zh-CN/errors.ftl")),
        ],
        Lang::En => [
            ("en/pages.ftl", include_str!("../locales/en/pages.ftl")),
            ("en/mail.ftl", include_str!("../locales/en/mail.ftl")),
            ("en/errors.ftl", include_str!("../locales/en/errors.ftl")),
        ],
    }
}

struct Table {
    bundle: FluentBundle<FluentResource>,
    keys: Vec<String>,
}

fn build(lang: Lang) -> Table {
    let id = lang.locale().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: they would show in mail subjects.
    bundle.set_use_isolating(false);
    let mut keys = Vec::new();
    for (name, text) in sources(lang) {
        let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(file = name, ?errors, "locale file has syntax errors");
            partial
        });
        keys.extend(resource.entries().filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        }));
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(file = name, ?errors, "locale file repeats keys");
        }
    }
    keys.sort();
    Table { bundle, keys }
}

fn table(lang: Lang) -> &'static Table {
    static ZH: OnceLock<Table> = OnceLock::new();
    static EN: OnceLock<Table> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| build(Lang::Zh)),
        Lang::En => EN.get_or_init(|| build(Lang::En)),
    }
}

/// An argument as Fluent sees it: a number when the text is exactly one, so that it
/// selects plural forms; otherwise the text unchanged.
fn value(s: &str) -> FluentValue<'_> {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() && n.to_string() == s => FluentValue::from(n),
        _ => FluentValue::from(s),
    }
}

/// Translations for one page render or one message.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key`. A missing key shows as itself and is logged (tests keep
    /// the tables complete and check that no page shows a raw key).
    pub fn t(&self, key: impl AsRef<str>) -> String {
        self.args(key.as_ref(), &[])
    }

    /// The text for `key` with its arguments.
    pub fn args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let bundle = &table(self.0).bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = self.0.locale(), "no translation");
            return key.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, value(v));
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "translation is missing an argument");
        }
        text
    }

    /// The text for `key` with one argument (for templates).
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.args(key, &[(name, value)])
    }

    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }
}

/// Whether `lang` has a message `key`.
pub fn has(lang: Lang, key: &str) -> bool {
    table(lang).bundle.has_message(key)
}

/// Keys of each language's files, sorted.
pub fn keys(lang: Lang) -> &'static [String] {
    &table(lang).keys
}

/// Syntax errors in a language's files (none expected).
pub fn syntax_errors(lang: Lang) -> Vec<String> {
    sources(lang)
        .iter()
        .filter_map(|(name, text)| {
            FluentResource::try_new(text.to_string()).err().map(|(_, e)| format!("{name}: {e:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_parse_cleanly() {
        assert_eq!(syntax_errors(Lang::Zh), Vec::<String>::new());
        assert_eq!(syntax_errors(Lang::En), Vec::<String>::new());
        let (zh, en) = (keys(Lang::Zh), keys(Lang::En));
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(only_zh.is_empty() && only_en.is_empty(), "only zh: {only_zh:?}; only en: {only_en:?}");
        for k in zh {
            assert!(!Tr(Lang::Zh).t(k).is_empty() || k == "nothing_overdue", "{k} is empty");
        }
    }

    #[test]
    fn arguments_fill_in_and_numbers_pick_plurals() {
        assert_eq!(Tr(Lang::Zh).with("saved_done", "title", "发货日报"), "已完成：发货日报");
        assert_eq!(Tr(Lang::En).args("mail_days", &[("n", "1")]), "1 day");
        assert_eq!(Tr(Lang::En).args("mail_days", &[("n", "3")]), "3 days");
        assert_eq!(Tr(Lang::En).args("mail_hours", &[("n", "1.5")]), "1.5 h");
        // Text that only looks like a number stays as written.
        assert_eq!(Tr(Lang::En).with("saved_done", "title", "007"), "Done: 007");
        assert_eq!(Tr(Lang::En).t("no-such-key"), "no-such-key");
    }

    #[test]
    fn accept_language_picks_the_first_known_language() {
        assert_eq!(Lang::from_accept(Some("en-US,en;q=0.9"), Lang::Zh), Lang::En);
        assert_eq!(Lang::from_accept(Some("fr, zh-CN;q=0.5"), Lang::En), Lang::Zh);
        assert_eq!(Lang::from_accept(Some("fr"), Lang::En), Lang::En);
        assert_eq!(Lang::from_accept(None, Lang::Zh), Lang::Zh);
    }
}
