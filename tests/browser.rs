//! Browser tests in a real headless Chromium (Debian's chromium + chromium-driver).
//! Without them the tests say they were skipped, except under `DUTYDAY_E2E=1`, where
//! their absence fails. Screenshots of each step go to `target/e2e-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestDb, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A headless Chromium driven through chromedriver; both end with the test.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    shots: PathBuf,
    step: u32,
    axe: Option<String>,
}

/// axe-core's script, from npm (`.ci/run` installs it into `target/npm`; `DUTYDAY_AXE`
/// names another copy). Without it the accessibility checks say they were skipped,
/// except under `DUTYDAY_E2E=1`, where its absence fails.
fn axe_script() -> Option<String> {
    let path = std::env::var_os("DUTYDAY_AXE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(e) if std::env::var("DUTYDAY_E2E").as_deref() == Ok("1") => {
            panic!(
                "DUTYDAY_E2E=1 but axe-core is missing at {} ({e}): npm install --prefix target/npm axe-core",
                path.display()
            )
        }
        Err(_) => {
            eprintln!("skipped the accessibility checks: axe-core is not at {}", path.display());
            None
        }
    }
}

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

impl Browser {
    /// `None` (after saying so) when Chromium is not installed and E2E is not required.
    async fn launch(test: &str, width: u32, height: u32) -> Option<Browser> {
        let (Some(chromium), Some(driver)) = (tool("chromium"), tool("chromedriver")) else {
            if std::env::var("DUTYDAY_E2E").as_deref() == Ok("1") {
                panic!(
                    "DUTYDAY_E2E=1 but chromium or chromedriver is missing: apt-get install chromium chromium-driver"
                );
            }
            eprintln!("skipped browser test {test}: chromium and chromedriver are not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for chromedriver to listen: a bounded number of short connection attempts.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        // The test binary links two rustls crypto providers (ring through lettre and
        // reqwest, aws-lc-rs through fantoccini): name one, once, before any TLS setup.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("start a Chromium session");
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots").join(test);
        let _ = std::fs::remove_dir_all(&shots); // an earlier run's steps
        std::fs::create_dir_all(&shots).unwrap();
        Some(Browser { client, driver, _profile: profile, shots, step: 0, axe: axe_script() })
    }

    /// Saves a screenshot of the current page as the next numbered step, and checks the
    /// page with axe-core: every page a walk shows is checked, at its width and language.
    async fn shot(&mut self, name: &str) {
        self.step += 1;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.step)), png).unwrap();
        self.accessible(name).await;
    }

    /// Runs axe-core on the current page and fails on any serious or critical violation,
    /// naming the rule and the first elements it found.
    async fn accessible(&self, page: &str) {
        let Some(axe) = &self.axe else { return };
        let loaded = self.client.execute("return typeof window.axe;", vec![]).await.unwrap();
        if loaded != json!("object") {
            self.client.execute(&format!("{axe}\nreturn true;"), vec![]).await.unwrap();
        }
        let run = "const done = arguments[arguments.length - 1]; \
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
              .filter(v => v.impact === 'serious' || v.impact === 'critical') \
              .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)));";
        let found = self.client.execute_async(run, vec![]).await.unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(found.is_empty(), "axe-core on {page}:\n{}", found.join("\n"));
    }

    async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).text().await.unwrap()
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).click().await.unwrap();
    }

    async fn log_in(&mut self, base: &str, email: &str) {
        self.client.goto(&format!("{base}/login")).await.unwrap();
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.shot("login").await;
        self.click("form button[type=submit]").await;
        self.expect("section.today").await;
    }

    /// Waits (at most 10 s) until the address contains `part`.
    async fn expect_url(&self, part: &str) {
        for _ in 0..100 {
            if self.client.current_url().await.unwrap().as_str().contains(part) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("never reached a page whose address contains {part}");
    }

    /// Waits (at most 10 s) for an element of the next page: navigation after a click
    /// may still be under way when the click returns.
    async fn expect(&self, css: &str) {
        let wait = self.client.wait().at_most(std::time::Duration::from_secs(10));
        wait.for_element(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css} never appeared"));
    }

    /// Whether the page scrolls sideways.
    async fn scrolls_sideways(&self) -> bool {
        let v = self
            .client
            .execute("return document.documentElement.scrollWidth > window.innerWidth;", vec![])
            .await
            .unwrap();
        v.as_bool().unwrap_or(true)
    }

    /// Signs in with any password and waits for the day's list.
    async fn sign_in(&mut self, base: &str, email: &str, password: &str) {
        self.client.goto(&format!("{base}/login")).await.unwrap();
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", password).await;
        self.click("form button[type=submit]").await;
        self.expect("section.today").await;
    }

    async fn sign_out(&self) {
        self.click("form[action='/logout'] button").await;
        self.expect("input[name=password]").await;
    }

    /// Sets a form field's value (date inputs type differently in each locale).
    async fn set(&self, css: &str, value: &str) {
        let js = "document.querySelector(arguments[0]).value = arguments[1];";
        self.client.execute(js, vec![json!(css), json!(value)]).await.unwrap();
    }

    async fn finish(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The next working day, where the daily tasks are.
fn workday() -> String {
    common::next_working_day().to_string()
}

fn the_warehouse_keeper_completes_the_daily_check(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let Some(mut b) = Browser::launch(&format!("warehouse-keeper-{}", backend(db)), 1280, 900).await else {
            return;
        };
        let base = common::serve(db).await;
        b.log_in(&base, "xu.qiang@example.com").await;
        b.client.goto(&format!("{base}/today?date={}", workday())).await.unwrap();
        b.shot("today").await;
        let card = "section.today article[data-template=warehouse-daily-check]";
        assert!(b.text(card).await.contains("仓库日常检查"));
        // A note's form waits behind its button; one tap opens it.
        assert!(!b
            .client
            .find(Locator::Css(&format!("{card} textarea[name=note]")))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap());
        b.click(&format!("{card} details.fill summary")).await;
        b.fill(&format!("{card} textarea[name=note]"), "货架整洁，消防通道畅通").await;
        b.click(&format!("{card} form.complete button[type=submit]")).await;
        b.shot("done").await;
        assert!(b.text(".flash").await.contains("已完成：仓库日常检查"));
        let open = b.client.find_all(Locator::Css(card)).await.unwrap();
        assert!(open.is_empty(), "gone from the open list");
        assert!(b.text("section.finished article[data-template=warehouse-daily-check]").await.contains("货架整洁"));
        b.finish().await;
    });
}

fn the_shipping_clerk_files_the_daily_report(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let Some(mut b) = Browser::launch(&format!("shipping-clerk-{}", backend(db)), 1280, 900).await else { return };
        let base = common::serve(db).await;
        b.log_in(&base, "sun.li@example.com").await;
        b.client.goto(&format!("{base}/today?date={}", workday())).await.unwrap();
        let card = "article[data-template=shipping-daily-report]";
        let section = format!("section.today {card}");
        b.click(&format!("{section} details.fill summary")).await;
        b.fill(&format!("{section} input[name='fig.parcels_shipped']"), "一百二十").await;
        b.fill(&format!("{section} input[name='fig.mis_shipments']"), "0").await;
        b.fill(&format!("{section} input[name='fig.missed_shipments']"), "1").await;
        b.click(&format!("{section} form.complete button[type=submit]")).await;
        b.shot("bad-figure").await;
        assert_eq!(b.text("p.error").await, "发货件数: 必须是整数");
        // The task page shows the same form: correct the figure and file it.
        b.fill(&format!("{card} input[name='fig.parcels_shipped']"), "120").await;
        b.fill(&format!("{card} input[name='fig.mis_shipments']"), "0").await;
        b.fill(&format!("{card} input[name='fig.missed_shipments']"), "1").await;
        b.click(&format!("{card} form.complete button[type=submit]")).await;
        b.shot("filed").await;
        assert!(b.text(".flash").await.contains("已完成：销售发货日报表"));
        // An overdue card is marked by its border and badge; its form's labels keep
        // their usual colour (red would say every field is wrong).
        let js = "const l = document.querySelector('article.task.late label'); \
                  return l ? getComputedStyle(l).color : null;";
        let colour = b.client.execute(js, vec![]).await.unwrap();
        assert!(colour.is_string(), "an overdue card with a form is on the page");
        assert_ne!(colour, json!("rgb(192, 57, 43)"), "labels on an overdue card are not red");
        // A task that asks for nothing is done with one tap on a large button.
        b.client.goto(&format!("{base}/today?date={}", workday())).await.unwrap();
        let tick = "section.today article[data-template=shipped-documents] button.tick";
        let (_, _, width, height) = b.client.find(Locator::Css(tick)).await.unwrap().rectangle().await.unwrap();
        assert!(width >= 44.0 && height >= 44.0, "a {width}×{height} target");
        b.click(tick).await;
        b.expect(".flash").await;
        b.shot("one-tap").await;
        assert!(b.text(".flash").await.contains("已完成：已发货单据回收整理"), "{}", b.text(".flash").await);
        assert!(b.client.find(Locator::Css("section.finished article[data-template=shipped-documents]")).await.is_ok());
        b.finish().await;
    });
}

fn english_on_a_phone_without_sideways_scrolling(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let Some(mut b) = Browser::launch(&format!("phone-{}", backend(db)), 375, 812).await else { return };
        let base = common::serve(db).await;
        b.log_in(&base, "sun.li@example.com").await;
        let today = format!("{base}/today?date={}", workday());
        b.client.goto(&today).await.unwrap();
        b.shot("phone-zh").await;
        assert!(!b.scrolls_sideways().await, "today page at 375 px");
        // Every control a thumb uses is at least 44 px tall (a checkbox by its label).
        let js = "return Array.from(document.querySelectorAll('header a, header button, nav.days a, button, summary, \
                  input:not([type=hidden]):not([type=checkbox]), select, label.check')) \
                  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height]) \
                  .filter(([_, h]) => h > 0 && h < 44);";
        let small = b.client.execute(js, vec![]).await.unwrap();
        assert_eq!(small, json!([]), "controls under 44 px on the phone's 今天");
        b.click("#lang-switch").await;
        b.client.goto(&today).await.unwrap();
        b.shot("phone-en").await;
        assert!(b.text("section.today h2").await.starts_with("Tasks of the day"), "another day's list");
        assert!(!b.scrolls_sideways().await, "English today page at 375 px");
        for path in ["/week", "/org", "/positions/logistics.shipping-clerk", "/history", "/me/account", "/admin/audit"]
        {
            b.client.goto(&format!("{base}{path}")).await.unwrap();
            b.shot(path.trim_start_matches('/').replace('/', "-").as_str()).await;
            assert!(!b.scrolls_sideways().await, "{path} at 375 px");
        }
        b.finish().await;
    });
}

fn the_gm_drills_down_and_downloads_the_csv(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let Some(mut b) = Browser::launch(&format!("dashboard-{}", backend(db)), 1280, 900).await else { return };
        let base = common::serve(db).await;
        b.log_in(&base, "wang.jianguo@example.com").await;
        b.click("#nav-dashboard").await;
        b.expect("#breakdown").await;
        b.shot("departments").await;
        assert_eq!(b.client.title().await.unwrap(), "看板 · dutyday 每日职责");
        assert!(b.client.find(Locator::Css("#skipped-list")).await.is_ok());
        for dept in ["ops", "cs", "logistics"] {
            let row = format!("#breakdown tr[data-key={dept}]");
            assert!(b.client.find(Locator::Css(&row)).await.is_ok(), "the GM sees {dept}");
        }
        b.click("#breakdown tr[data-key=logistics] a").await;
        b.expect("#breakdown tr[data-key='logistics.warehouse-keeper']").await;
        b.shot("logistics-positions").await;
        assert!(b.text("#breakdown").await.contains("仓管员"));
        b.click("#breakdown tr[data-key='logistics.warehouse-keeper'] a").await;
        b.expect_url("by=person").await;
        b.shot("warehouse-keeper-people").await;
        assert!(b.text("#breakdown").await.contains("徐强"));
        b.click("#breakdown tbody tr[data-key]:not([data-key=unassigned]) a").await;
        b.expect("#breakdown tr[data-key='warehouse-daily-check']").await;
        b.shot("person-duties").await;
        assert!(b.text("#breakdown").await.contains("仓库日常检查"));
        assert!(b.client.find(Locator::Css(".chart svg")).await.is_ok(), "the trend chart is drawn");
        // The CSV as the browser downloads it: a BOM, then the header.
        let href = b.client.find(Locator::Css("a#csv")).await.unwrap().attr("href").await.unwrap().unwrap();
        let script = "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer())\
            .then(b => done([Array.from(new Uint8Array(b).slice(0, 3)), new TextDecoder().decode(b)]));";
        let got = b.client.execute_async(script, vec![json!(href)]).await.unwrap();
        assert_eq!(got[0], json!([0xEF, 0xBB, 0xBF]), "a UTF-8 BOM, so Excel reads Chinese");
        let csv = got[1].as_str().unwrap();
        assert!(csv.contains("编号,名称,应完成,已完成") && csv.contains("仓库日常检查"), "{csv}");
        // The overdue list downloads too, with lateness in working hours.
        let href = b.client.find(Locator::Css("a#overdue-csv")).await.unwrap().attr("href").await.unwrap().unwrap();
        let got = b.client.execute_async(script, vec![json!(href)]).await.unwrap();
        assert_eq!(got[0], json!([0xEF, 0xBB, 0xBF]));
        let overdue = got[1].as_str().unwrap();
        assert!(overdue.contains("逾期小时") && overdue.contains("徐强"), "{overdue}");
        // A report's figures, reached from the dashboard.
        b.click("#nav-dashboard").await;
        b.expect("a.report").await;
        b.click("a.report[href*='template=shipping-daily-report']").await;
        b.expect("table#figures").await;
        b.shot("report-figures").await;
        assert!(b.text("table#figures thead").await.contains("发货件数"));
        b.finish().await;
    });
}

fn a_lead_sees_only_their_department(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let Some(mut b) = Browser::launch(&format!("lead-{}", backend(db)), 1280, 900).await else { return };
        let base = common::serve(db).await;
        b.log_in(&base, "li.na@example.com").await;
        b.click("#nav-dashboard").await;
        b.expect("#breakdown").await;
        b.shot("lead-dashboard").await;
        let keys: Vec<String> = {
            let mut out = Vec::new();
            for r in b.client.find_all(Locator::Css("#breakdown tbody tr[data-key]")).await.unwrap() {
                out.push(r.attr("data-key").await.unwrap().unwrap());
            }
            out
        };
        assert_eq!(keys, ["ops"]);
        b.client.goto(&format!("{base}/dashboard?by=position&department=logistics")).await.unwrap();
        b.shot("other-department").await;
        assert!(b.client.find(Locator::Css("#breakdown")).await.is_err(), "no figures of another department");
        // Staff have no dashboard link.
        b.click("form[action='/logout'] button").await;
        b.log_in(&base, "xu.qiang@example.com").await;
        assert!(b.client.find(Locator::Css("#nav-dashboard")).await.is_err());
        b.finish().await;
    });
}

/// The account, audit and password pages, and the dashboard's heatmap, on a phone and
/// a desktop in both languages: readable, nothing scrolling sideways on the phone.
fn account_and_admin_pages_on_phone_and_desktop(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let clerk = common::staff_id(db, "孙丽");
        let by = dutyday::services::audit::Actor::Staff(common::staff_id(db, "朱晓燕"));
        let (from, to) = (common::day("2026-12-03"), common::day("2026-12-04"));
        dutyday::services::staffing::add_leave(db.pool(), by, clerk, from, to, "年假", common::at(common::NOW))
            .unwrap();
        let task = format!("/tasks/{}", common::tasks(db)[0].id.0);
        let failed =
            common::remind::queue(db, "digest:1", "digest", "failed", "今天有 3 项待办。", Some("550 no such user"));
        let message = format!("/admin/outbox/{failed}");
        let person = format!("/admin/people/{}", clerk.0);
        for (device, width, height) in [("phone", 375, 812), ("desktop", 1280, 900)] {
            let name = format!("account-{device}-{}", backend(db));
            let Some(mut b) = Browser::launch(&name, width, height).await else { return };
            b.log_in(&base, "zhu.xiaoyan@example.com").await;
            for lang in ["zh", "en"] {
                for path in [
                    "/today",
                    "/me/account",
                    "/me/calendar",
                    "/admin/audit",
                    "/dashboard",
                    "/leave",
                    "/admin/people",
                    "/admin/people/import",
                    "/assign",
                    "/admin/templates",
                    "/admin/templates/warehouse-stocktake",
                    "/admin/templates/warehouse-stocktake/edit",
                    "/admin/calendar",
                    "/week",
                    "/admin/outbox",
                    message.as_str(),
                    "/admin/templates/new",
                    "/dashboard/figures?template=shipping-daily-report",
                    "/dashboard/tasks?template=warehouse-daily-check",
                    "/history",
                    "/org",
                    "/positions/logistics.shipping-clerk",
                    person.as_str(),
                    task.as_str(),
                    "/digest/off?t=a-link-from-a-digest",
                    "/no-such-page",
                ] {
                    b.client.goto(&format!("{base}{path}")).await.unwrap();
                    if path == "/dashboard" {
                        let heatmap = b.client.find(Locator::Css(".heatmap")).await.unwrap();
                        b.client
                            .execute("arguments[0].scrollIntoView();", vec![serde_json::to_value(&heatmap).unwrap()])
                            .await
                            .unwrap();
                    }
                    let page: String = path.trim_start_matches('/').chars().take_while(|c| *c != '?').collect();
                    b.shot(&format!("{}-{lang}", page.replace('/', "-"))).await;
                    if device == "phone" && path != "/dashboard" {
                        assert!(!b.scrolls_sideways().await, "{path} at 375 px in {lang}");
                    }
                    if device == "phone" && path == "/today" {
                        // The admin's ten links keep to one row of their own that scrolls.
                        let h = b.client.execute("return document.querySelector('header.top').offsetHeight;", vec![]);
                        let h = h.await.unwrap().as_f64().unwrap_or(f64::MAX);
                        assert!(h <= 2.0 * 44.0 + 40.0, "the top bar is {h} px high at 375 px in {lang}");
                    }
                }
                b.click("#lang-switch").await;
                b.expect(if lang == "zh" { "html[lang=en]" } else { "html[lang=zh-CN]" }).await;
            }
            // The pages for someone signed out, in both languages.
            b.click("form[action='/logout'] button").await;
            b.expect("input[name=password]").await;
            for lang in ["zh-CN", "en"] {
                for path in ["/login", "/password/forgot", "/password/set?t=not-a-link"] {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    b.client.goto(&format!("{base}{path}{sep}lang={lang}")).await.unwrap();
                    b.expect(&format!("html[lang={lang}]")).await;
                    let page: String = path.trim_start_matches('/').chars().take_while(|c| *c != '?').collect();
                    b.shot(&format!("{}-{lang}", page.replace('/', "-"))).await;
                    if device == "phone" {
                        assert!(!b.scrolls_sideways().await, "{path} at 375 px in {lang}");
                    }
                }
            }
            b.finish().await;
        }
    });
}

/// Sends what the outbox holds at [`common::NOW`] as `.eml` files and returns the
/// text of the one mail to `to` that contains `needle`, parsed as a mail client would.
async fn mailed_text(db: &TestDb, dir: &Path, to: &str, needle: &str) -> String {
    let settings = dutyday::config::Settings { mail_dir: dir.to_path_buf(), ..dutyday::config::Settings::default() };
    let mailer = dutyday::notify::Mailer::from_settings(&settings).unwrap();
    dutyday::services::remind::pass(db.pool(), &mailer, "http://dutyday.test", common::at(common::NOW)).await.unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        let mail = mailparse::parse_mail(&raw).unwrap();
        let header = mail.headers.iter().find(|h| h.get_key().eq_ignore_ascii_case("to")).map(|h| h.get_value());
        if header.is_some_and(|h| h.contains(to)) && String::from_utf8_lossy(&raw).contains("Content-Type") {
            let text = mail
                .subparts
                .iter()
                .find(|p| p.ctype.mimetype == "text/plain")
                .map_or_else(|| mail.get_body().unwrap(), |p| p.get_body().unwrap());
            if text.contains(needle) {
                found.push(text);
            }
        }
    }
    assert_eq!(found.len(), 1, "one mail to {to} with {needle}");
    found.remove(0)
}

/// The whole of a hire's life, as HR, the hire, a lead and a deputy click through it:
/// HR adds 何平 → the invitation mail's link → a password → his first list; a transfer;
/// 徐强's leave asked for and approved by the 总经理 → 孙丽's list covers for him; 何平
/// leaves → his open page and his API token are refused at once.
fn a_hire_joins_moves_and_leaves_while_work_goes_on(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        common::remind::exec(
            db,
            "UPDATE positions SET headcount = 2 WHERE id IN ('cs.agent', 'logistics.warehouse-keeper')",
        );
        let Some(mut hr) = Browser::launch(&format!("hire-{}", backend(db)), 1280, 900).await else { return };
        hr.log_in(&base, "zhu.xiaoyan@example.com").await;
        hr.click("#nav-people").await;
        hr.expect("#add-person").await;
        hr.fill("#add-person input[name=name]", "何平").await;
        hr.fill("#add-person input[name=email]", "he.ping@example.com").await;
        hr.click("#add-person input[value='cs.agent']").await;
        hr.shot("add-hire").await;
        hr.click("#add-person button[type=submit]").await;
        hr.expect(".flash").await;
        assert!(hr.text("#people").await.contains("何平"));
        // The invitation, as his mail client shows it; its link sets his password.
        let mails = tempfile::tempdir().unwrap();
        let text = mailed_text(db, mails.path(), "he.ping@example.com", "/password/set?t=").await;
        let i = text.find("/password/set?t=").expect("a link") + "/password/set?t=".len();
        let secret = text[i..].split_whitespace().next().unwrap().to_string();
        let Some(mut he) = Browser::launch(&format!("hire-phone-{}", backend(db)), 375, 812).await else { return };
        he.client.goto(&format!("{base}/password/set?t={secret}")).await.unwrap();
        he.expect("#set-password-form").await;
        let mine = "客服回复要又快又准确";
        he.fill("#set-password-form input[name=new]", mine).await;
        he.shot("set-password").await;
        he.click("#set-password-form button[type=submit]").await;
        he.expect("input[name=password]").await;
        he.sign_in(&base, "he.ping@example.com", mine).await;
        he.shot("first-list").await;
        assert!(he.client.find(Locator::Css("article.task")).await.is_ok(), "his first list has his tasks");
        let token = common::web::api_token_with(&base, "he.ping@example.com", mine).await;
        // A transfer: from 客服 to the second 仓管员 seat from the next working day.
        let hire = common::staff_id(db, "何平");
        hr.client.goto(&format!("{base}/admin/people/{}", hire.0)).await.unwrap();
        hr.expect("#transfer-form").await;
        hr.set("#transfer-form select[name=to_position]", "logistics.warehouse-keeper").await;
        hr.set("#transfer-form input[name=on]", &workday()).await;
        hr.click("#transfer-form button[type=submit]").await;
        hr.expect(".flash").await;
        hr.expect("#tenure-logistics\\.warehouse-keeper").await;
        hr.shot("transferred").await;
        let checks = common::tasks(db);
        assert!(checks.iter().any(|t| t.template_id == "warehouse-daily-check"
            && t.occurs_on.to_string() == workday()
            && t.assignee_id == Some(hire)));
        // 徐强 asks for the next working day off; the 总经理 approves; 孙丽 covers.
        hr.sign_out().await;
        hr.log_in(&base, "xu.qiang@example.com").await;
        hr.click("#nav-leave").await;
        hr.expect("#leave-form").await;
        hr.set("#leave-form input[name=from]", &workday()).await;
        hr.fill("#leave-form input[name=reason]", "看病").await;
        hr.click("#leave-form button[type=submit]").await;
        hr.expect(".flash").await;
        hr.shot("leave-asked").await;
        hr.sign_out().await;
        hr.log_in(&base, "wang.jianguo@example.com").await;
        hr.client.goto(&format!("{base}/leave")).await.unwrap();
        hr.expect("button[id^=approve-]").await;
        hr.shot("leave-to-approve").await;
        hr.click("button[id^=approve-]").await;
        hr.expect(".flash").await;
        hr.sign_out().await;
        hr.log_in(&base, "sun.li@example.com").await;
        hr.client.goto(&format!("{base}/today?date={}", workday())).await.unwrap();
        hr.expect(".cover").await;
        hr.shot("deputy-covers").await;
        assert!(hr.text("section.today").await.contains("代 徐强 休假期间处理"));
        // 何平 leaves, his last day yesterday: his open page and his token stop at once.
        hr.sign_out().await;
        hr.log_in(&base, "zhu.xiaoyan@example.com").await;
        hr.client.goto(&format!("{base}/admin/people/{}", hire.0)).await.unwrap();
        hr.set("#deactivate-person input[name=last_day]", "2026-11-30").await;
        hr.click("#deactivate-person button[type=submit]").await;
        hr.expect(".flash").await;
        hr.shot("deactivated").await;
        he.client.goto(&format!("{base}/today")).await.unwrap();
        he.expect("input[name=password]").await;
        let me = reqwest::Client::new().get(format!("{base}/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(me.status(), reqwest::StatusCode::UNAUTHORIZED);
        he.finish().await;
        hr.finish().await;
    });
}

/// An admin moves the stocktake to the 25th: finds it, edits its TOML, previews the
/// next dates (nothing saved yet), then saves it from a date; the page shows version 2.
fn an_admin_edits_a_template_after_a_preview(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let Some(mut admin) = Browser::launch(&format!("edit-{}", backend(db)), 1280, 900).await else { return };
        admin.log_in(&base, "zhu.xiaoyan@example.com").await;
        admin.client.goto(&format!("{base}/admin/templates?q=盘点")).await.unwrap();
        admin.click("a[href='/admin/templates/warehouse-stocktake']").await;
        admin.expect("#edit-link").await;
        admin.click("#edit-link").await;
        admin.expect("#edit-form textarea[name=toml]").await;
        let js = "const t = document.querySelector('#edit-form textarea[name=toml]'); \
                  t.value = t.value.replace('working_day = -1', 'day = 25'); return t.value;";
        let edited = admin.client.execute(js, vec![]).await.unwrap();
        assert!(edited.as_str().unwrap().contains("day = 25"), "{edited}");
        admin.set("#edit-form input[name=effective]", "2026-12-20").await;
        admin.fill("#edit-form input[name=reason]", "财务要求提前").await;
        admin.click("#preview").await;
        admin.expect("#preview-dates").await;
        admin.shot("template-preview").await;
        let dates = admin.text("#preview-dates").await;
        assert!(dates.contains("12-25 18:00") && dates.contains("01-25 18:00"), "{dates}");
        // The draft is kept under the preview; saving it makes version 2.
        admin.click("#save").await;
        admin.expect(".flash").await;
        assert!(admin.text(".flash").await.contains("第 2 版"));
        assert!(admin.text("#versions").await.contains("财务要求提前"));
        assert!(admin.text("#next-dates").await.contains("12-25 18:00"));
        admin.shot("template-saved").await;
        admin.finish().await;
    });
}

fn backend(db: &TestDb) -> &'static str {
    if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    }
}

on_both_databases!(
    the_warehouse_keeper_completes_the_daily_check,
    the_shipping_clerk_files_the_daily_report,
    english_on_a_phone_without_sideways_scrolling,
    the_gm_drills_down_and_downloads_the_csv,
    a_lead_sees_only_their_department,
    account_and_admin_pages_on_phone_and_desktop,
    a_hire_joins_moves_and_leaves_while_work_goes_on,
    an_admin_edits_a_template_after_a_preview
);
