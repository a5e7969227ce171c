//! Page text in zh-CN (first) and en, from `locales/*.toml`, compiled in.

use std::collections::HashMap;
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

    /// The stored locale name.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of pages.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

struct Table {
    words: HashMap<String, String>,
    errors: HashMap<String, String>,
}

fn parse(text: &str) -> Table {
    let value: toml::Table = toml::from_str(text).unwrap_or_default();
    let mut words = HashMap::new();
    let mut errors = HashMap::new();
    for (k, v) in value {
        match v {
            toml::Value::String(s) => {
                words.insert(k, s);
            }
            toml::Value::Table(t) if k == "errors" => {
                errors.extend(t.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))));
            }
            _ => {}
        }
    }
    Table { words, errors }
}

fn table(lang: Lang) -> &'static Table {
    static ZH: OnceLock<Table> = OnceLock::new();
    static EN: OnceLock<Table> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse(include_str!("../locales/zh-CN.toml"))),
        Lang::En => EN.get_or_init(|| parse(include_str!("../locales/en.toml"))),
    }
}

/// Translations for one page render.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key`; the key itself if missing (a test keeps the tables complete).
    pub fn t(&self, key: impl AsRef<str>) -> String {
        let key = key.as_ref();
        table(self.0).words.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The text for `key` with `{name}` replaced.
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.t(key).replace(&format!("{{{name}}}"), value)
    }

    /// A service message in this language (messages are written in English).
    pub fn message(&self, english: &str) -> String {
        table(self.0).errors.get(english).cloned().unwrap_or_else(|| english.to_string())
    }

    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }
}

/// Keys of each language's table, for the completeness test.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut k: Vec<String> = table(lang).words.keys().cloned().collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        assert!(keys(Lang::Zh).len() > 40);
        assert_eq!(keys(Lang::Zh), keys(Lang::En));
        assert_eq!(Tr(Lang::Zh).message("this figure is required"), "此项必填");
        assert_eq!(Tr(Lang::En).message("this figure is required"), "this figure is required");
    }
}
