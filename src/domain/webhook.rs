//! Group-chat webhooks: a department's robot in DingTalk, WeCom or Feishu, or any
//! endpoint that takes generic JSON. The payloads and the reading of answers are
//! here, pure; the outbox sends them with the same once-only guarantees as mail.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The payload format a webhook expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `{"event", "subject", "text", "url", "task_id"}`.
    Generic,
    /// DingTalk group robot: `{"msgtype": "text", "text": {"content"}}`.
    Dingtalk,
    /// WeCom (企业微信) group robot: `{"msgtype": "text", "text": {"content"}}`.
    Wecom,
    /// Feishu (飞书) custom bot: `{"msg_type": "text", "content": {"text"}}`.
    Feishu,
}

/// A webhook as written in `company.toml` under `[[webhook]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    /// A short name, part of each message's once-only key.
    pub id: String,
    pub department: String,
    pub format: Format,
    /// The robot's address. It usually carries an access token, so it is never logged.
    pub url: String,
    /// Which reminders go to it: `overdue`, `escalation`, `lead_digest`.
    #[serde(default = "default_kinds")]
    pub kinds: Vec<String>,
    /// The language of its messages (`zh-CN` or `en`).
    #[serde(default = "default_lang")]
    pub lang: String,
}

fn default_kinds() -> Vec<String> {
    vec!["escalation".into()]
}

fn default_lang() -> String {
    "zh-CN".into()
}

impl WebhookSpec {
    /// Checks the address and kinds; the department is checked by the catalogue.
    pub fn check(&self) -> Result<(), (String, String)> {
        if !self.url.starts_with("https://") && !self.url.starts_with("http://") {
            return Err(("url".into(), "must start with https:// (or http://)".into()));
        }
        if let Some(k) = self.kinds.iter().find(|k| !matches!(k.as_str(), "overdue" | "escalation" | "lead_digest")) {
            return Err(("kinds".into(), format!("`{k}` is not one of overdue, escalation, lead_digest")));
        }
        if !matches!(self.lang.as_str(), "zh-CN" | "en") {
            return Err(("lang".into(), format!("`{}` is not zh-CN or en", self.lang)));
        }
        Ok(())
    }

    /// Whether reminders of `kind` go to this webhook.
    pub fn wants(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }
}

/// The JSON body for `format`.
pub fn payload(format: Format, event: &str, subject: &str, text: &str, url: &str, task: Option<i64>) -> Value {
    let content = format!("{subject}\n{text}");
    match format {
        Format::Generic => json!({"event": event, "subject": subject, "text": text, "url": url, "task_id": task}),
        Format::Dingtalk | Format::Wecom => json!({"msgtype": "text", "text": {"content": content}}),
        Format::Feishu => json!({"msg_type": "text", "content": {"text": content}}),
    }
}

/// How a webhook answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted,
    /// Worth trying again later (5xx, 429, or a robot's rate limit).
    Transient(String),
    /// Will fail again (other 4xx, or a robot rejecting the message).
    Permanent(String),
}

/// Reads an HTTP status and body. The robots answer 200 with an error code in the
/// body (`errcode` for DingTalk and WeCom, `code` for Feishu), which is checked too.
/// A robot's answer as it may be stored: a gateway that echoes the request would
/// otherwise put the hook's secret (its query values, the token in its path) into
/// the outbox. Those parts, and control characters, are blanked out.
pub fn redact(answer: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut secrets: Vec<&str> = query.split('&').filter_map(|kv| kv.split_once('=').map(|(_, v)| v)).collect();
    secrets.extend(path.split('/').skip(1).filter(|seg| seg.len() >= 8));
    secrets.push(query);
    secrets.push(url);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = answer.to_string();
    for s in secrets.into_iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, "***");
    }
    out.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

pub fn read_answer(format: Format, status: u16, body: &str) -> Answer {
    let short: String = body.chars().take(200).collect();
    if status == 429 || status >= 500 {
        return Answer::Transient(format!("HTTP {status}: {short}"));
    }
    if !(200..300).contains(&status) {
        return Answer::Permanent(format!("HTTP {status}: {short}"));
    }
    let code_key = match format {
        Format::Generic => return Answer::Accepted,
        Format::Dingtalk | Format::Wecom => "errcode",
        Format::Feishu => "code",
    };
    let code = serde_json::from_str::<Value>(body).ok().and_then(|v| v.get(code_key).and_then(Value::as_i64));
    match code {
        None | Some(0) => Answer::Accepted,
        // DingTalk 130101 and WeCom 45009 are "sending too fast"; Feishu 9499 likewise.
        Some(130101 | 45009 | 9499) => Answer::Transient(format!("{code_key} {}: {short}", code.unwrap_or_default())),
        Some(c) => Answer::Permanent(format!("{code_key} {c}: {short}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_request_leaves_no_secret_in_the_stored_answer() {
        let url = "https://oapi.dingtalk.com/robot/send?access_token=abc123SECRETxyz&sign=s1gn4ture";
        let echo = format!("bad gateway: POST {url}\nHost: x");
        let kept = redact(&echo, url);
        assert!(!kept.contains("abc123SECRETxyz") && !kept.contains("s1gn4ture") && !kept.contains('\n'), "{kept}");
        let feishu = "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789";
        let kept = redact("no route for /open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789", feishu);
        assert!(!kept.contains("0a1b2c3d-4e5f-6789"), "{kept}");
        assert!(matches!(read_answer(Format::Generic, 502, &"x".repeat(5000)), Answer::Transient(e) if e.len() < 300));
    }

    #[test]
    fn robots_answer_200_with_an_error_code() {
        assert_eq!(read_answer(Format::Dingtalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#), Answer::Accepted);
        assert!(matches!(read_answer(Format::Wecom, 200, r#"{"errcode":93000}"#), Answer::Permanent(_)));
        assert!(matches!(read_answer(Format::Dingtalk, 200, r#"{"errcode":130101}"#), Answer::Transient(_)));
        assert!(matches!(
            read_answer(Format::Feishu, 200, r#"{"code":19001,"msg":"param invalid"}"#),
            Answer::Permanent(_)
        ));
        assert!(matches!(read_answer(Format::Generic, 503, ""), Answer::Transient(_)));
        assert!(matches!(read_answer(Format::Generic, 404, ""), Answer::Permanent(_)));
    }

    #[test]
    fn formats() {
        let p = payload(Format::Feishu, "escalation", "S", "T", "http://x/tasks/1", Some(1));
        assert_eq!(p["content"]["text"], "S\nT");
        let p = payload(Format::Dingtalk, "escalation", "S", "T", "http://x/tasks/1", Some(1));
        assert_eq!(p["msgtype"], "text");
        assert_eq!(p["text"]["content"], "S\nT");
    }
}
