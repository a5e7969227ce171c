//! A template's cadence in words, for job descriptions and task cards:
//! "每个工作日 18:00 前", "每月最后一个工作日 18:00 前", "Every Monday by 11:00".

use super::i18n::Tr;
use crate::domain::recurrence::Shift;
use crate::domain::template::TemplateSpec;

const WEEKDAYS_ZH: [(&str, &str); 7] =
    [("mon", "一"), ("tue", "二"), ("wed", "三"), ("thu", "四"), ("fri", "五"), ("sat", "六"), ("sun", "日")];
const WEEKDAYS_EN: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

fn weekday(tr: Tr, w: &str) -> String {
    let w = w.to_lowercase();
    let table = if tr.is_zh() { &WEEKDAYS_ZH } else { &WEEKDAYS_EN };
    let name = table.iter().find(|(k, _)| w.starts_with(k)).map_or(w.as_str(), |(_, v)| v);
    if tr.is_zh() {
        format!("周{name}")
    } else {
        name.to_string()
    }
}

fn ordinal_en(n: i32) -> String {
    match n {
        -1 => "last".into(),
        n if n < 0 => format!("{}th-last", -n),
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

fn nth_zh(n: i32) -> String {
    match n {
        -1 => "最后一".into(),
        n if n < 0 => format!("倒数第{}", -n),
        n => format!("第{n}"),
    }
}

/// When the template's work falls and is due, in the reader's language.
pub fn describe(spec: &TemplateSpec, tr: Tr) -> String {
    let zh = tr.is_zh();
    let when = match (&spec.schedule, &spec.trigger) {
        (Some(s), _) => {
            let days = s.weekdays.clone().unwrap_or_default().iter().map(|w| weekday(tr, w)).collect::<Vec<_>>();
            match s.every.as_str() {
                "day" => (if zh { "每天" } else { "Every day" }).to_string(),
                "working_day" => (if zh { "每个工作日" } else { "Every working day" }).to_string(),
                "week" => match (s.interval.unwrap_or(1), zh) {
                    (1, true) => format!("每{}", days.join("、")),
                    (n, true) => format!("每 {n} 周的{}", days.join("、")),
                    (1, false) => format!("Every {}", days.join(", ")),
                    (n, false) => format!("Every {n} weeks on {}", days.join(", ")),
                },
                "month" => match (s.day, s.nth, s.working_day, zh) {
                    (Some(d), _, _, true) => format!("每月 {d} 日"),
                    (Some(d), _, _, false) => format!("Monthly on day {d}"),
                    (_, Some(n), _, true) => {
                        format!("每月{}个{}", nth_zh(n), weekday(tr, s.weekday.as_deref().unwrap_or("")))
                    }
                    (_, Some(n), _, false) => format!(
                        "The {} {} of each month",
                        ordinal_en(n),
                        weekday(tr, s.weekday.as_deref().unwrap_or(""))
                    ),
                    (_, _, Some(n), true) => format!("每月{}个工作日", nth_zh(n)),
                    (_, _, Some(n), false) => format!("The {} working day of each month", ordinal_en(n)),
                    _ => String::new(),
                },
                "quarter" => match (s.nth, zh) {
                    (Some(n), true) => format!(
                        "每季度第 {} 个月的{}个{}",
                        s.month.unwrap_or(1),
                        nth_zh(n),
                        weekday(tr, s.weekday.as_deref().unwrap_or(""))
                    ),
                    (Some(n), false) => format!(
                        "Quarterly, the {} {} of month {} of the quarter",
                        ordinal_en(n),
                        weekday(tr, s.weekday.as_deref().unwrap_or("")),
                        s.month.unwrap_or(1)
                    ),
                    (None, true) => format!("每季度第 {} 个月 {} 日", s.month.unwrap_or(1), s.day.unwrap_or(1)),
                    (None, false) => {
                        format!("Quarterly, month {} of the quarter, day {}", s.month.unwrap_or(1), s.day.unwrap_or(1))
                    }
                },
                "year" if zh => format!("每年 {} 月 {} 日", s.month.unwrap_or(1), s.day.unwrap_or(1)),
                "year" => format!("Yearly on {}-{:02}", s.month.unwrap_or(1), s.day.unwrap_or(1)),
                "festival" => {
                    let list = s.festivals.clone().unwrap_or_default().join(if zh { "、" } else { ", " });
                    match (s.offset_working_days.unwrap_or(0), zh) {
                        (n, true) if n < 0 => format!("节日（{list}）前 {} 个工作日", -n),
                        (n, true) => format!("节日（{list}）后 {n} 个工作日"),
                        (n, false) if n < 0 => format!("{} working days before each festival ({list})", -n),
                        (n, false) => format!("{n} working days after each festival ({list})"),
                    }
                }
                "rrule" if zh => format!("按 RRULE 规则 {}", s.rule.as_deref().unwrap_or("")),
                "rrule" => format!("By the RRULE {}", s.rule.as_deref().unwrap_or("")),
                other => other.to_string(),
            }
        }
        (None, Some(t)) if zh => format!("事件 {} 发生时", t.event),
        (None, Some(t)) => format!("When {} happens", t.event),
        (None, None) => String::new(),
    };
    let at = spec.schedule.as_ref().and_then(|s| s.at.clone()).unwrap_or_default();
    let due = match (spec.due.working_days, zh) {
        _ if !at.is_empty() => {
            let list = at.join(if zh { "、" } else { ", " });
            match (spec.due.hours, zh) {
                (Some(h), true) => format!("，每天 {list} 各一次，各自 {h} 小时内"),
                (Some(h), false) => format!(", at {list}, each within {h} hours"),
                (None, true) => format!("，每天 {list} 各一次"),
                (None, false) => format!(", at {list}"),
            }
        }
        _ if spec.due.hours.is_some() => {
            let h = spec.due.hours.unwrap_or(0);
            if zh {
                format!("，{} 起 {h} 小时内", spec.due.time)
            } else {
                format!(", within {h} hours from {}", spec.due.time)
            }
        }
        _ if spec.due.days.is_some() => {
            let d = spec.due.days.unwrap_or(0);
            if zh {
                format!("，{d} 天内（{} 前，节假日照算）", spec.due.time)
            } else {
                format!(", within {d} calendar days (by {})", spec.due.time)
            }
        }
        (0, true) => format!(" {} 前", spec.due.time),
        (0, false) => format!(", by {}", spec.due.time),
        (n, true) => format!("，{n} 个工作日内（{} 前）", spec.due.time),
        (n, false) => format!(", within {n} working days (by {})", spec.due.time),
    };
    let shift = match (
        spec.shift,
        zh,
        spec.schedule.as_ref().is_some_and(|s| s.every != "working_day" && s.every != "festival"),
    ) {
        (_, _, false) | (Shift::Keep, _, _) => "",
        (Shift::Previous, true, _) => "（遇节假日提前）",
        (Shift::Next, true, _) => "（遇节假日顺延）",
        (Shift::Skip, true, _) => "（遇节假日取消）",
        (Shift::Previous, false, _) => " (earlier on a day off)",
        (Shift::Next, false, _) => " (later on a day off)",
        (Shift::Skip, false, _) => " (skipped on a day off)",
    };
    format!("{when}{due}{shift}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::web::pages::i18n::Lang;

    #[test]
    fn the_seed_cadences_read_naturally() {
        let c = Catalog::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config"))).unwrap();
        let d = |id: &str, lang| describe(&c.template(id).unwrap().spec, Tr(lang));
        assert_eq!(d("shipping-daily-report", Lang::Zh), "每个工作日 18:00 前");
        assert_eq!(d("warehouse-stocktake", Lang::Zh), "每月最后一个工作日 18:00 前");
        assert_eq!(d("gm-office-meeting", Lang::Zh), "每周一 11:00 前（遇节假日顺延）");
        assert_eq!(d("gm-office-meeting", Lang::En), "Every Monday, by 11:00 (later on a day off)");
        assert_eq!(d("onboarding-training", Lang::Zh), "事件 employee_hired 发生时，3 个工作日内（18:00 前）");
        assert_eq!(d("shipping-monthly-report", Lang::En), "The 2nd working day of each month, by 18:00");
    }

    #[test]
    fn new_cadences_read_naturally() {
        let spec = |schedule: &str, due: &str| -> TemplateSpec {
            toml::from_str(&format!(
                "id = \"t\"\nduty = \"gm.1\"\nzh = \"t\"\nen = \"t\"\ncompletion = \"tick\"\nschedule = {schedule}\ndue = {due}\n"
            ))
            .unwrap()
        };
        let log = spec("{ every = \"day\", at = [\"08:00\", \"15:00\"] }", "{ hours = 1 }");
        assert_eq!(describe(&log, Tr(Lang::Zh)), "每天，每天 08:00、15:00 各一次，各自 1 小时内");
        assert_eq!(describe(&log, Tr(Lang::En)), "Every day, at 08:00, 15:00, each within 1 hours");
        let drill = spec("{ every = \"quarter\", month = 1, nth = 2, weekday = \"wed\" }", "{ time = \"16:00\" }");
        assert_eq!(describe(&drill, Tr(Lang::Zh)), "每季度第 1 个月的第2个周三 16:00 前");
        let incident = spec("{ every = \"day\" }", "{ time = \"23:59\", days = 1 }");
        assert_eq!(describe(&incident, Tr(Lang::En)), "Every day, within 1 calendar days (by 23:59)");
    }
}
