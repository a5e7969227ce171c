//! What every request reads and what rarely changes, kept in the process: the
//! company's time zone and work calendars, the departments (who leads what, which
//! calendar each keeps), the positions that manage people, and every template's
//! names and what each of its versions asks for.
//!
//! It is kept true across instances by `company.catalog_version`, which every
//! catalogue and calendar change bumps in its own transaction. Each request
//! reads that version in the statement that finds who is asking (see
//! [`crate::db::askers`]), so a change made by any instance is seen by every other
//! on its next request, at no extra statement. People and what they hold are not
//! cached: they come with that same statement, so hiring, leaving and moving need
//! no invalidation at all, and a one-off task's template (which never changes) is
//! learnt when a list first shows it. (PostgreSQL's LISTEN/NOTIFY would also work there, but
//! not on SQLite, and would add a connection and a failure mode per instance.)

use super::{AppError, AppResult};
use crate::db::askers::AskerRow;
use crate::db::{self, AnyConn};
use crate::domain::access::{departments_led, Viewer};
use crate::domain::calendar::WorkCalendar;
use crate::domain::org::Department;
use crate::domain::template::{CompletionMode, FigureSpec, TemplateSpec};
use crate::error::ErrorCode;
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

/// A duty's or position's id and names.
#[derive(Debug)]
pub struct Label {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// What completing a task asks for, as one version of its template says.
#[derive(Debug)]
pub struct Asks {
    pub completion: CompletionMode,
    pub figures: Vec<FigureSpec>,
    pub description: Option<String>,
}

impl From<TemplateSpec> for Asks {
    fn from(s: TemplateSpec) -> Self {
        Asks { completion: s.completion, figures: s.figures, description: s.description }
    }
}

/// A template as lists show it.
#[derive(Debug)]
pub struct Named {
    /// Its latest version.
    pub version: i32,
    pub zh: String,
    pub en: String,
    pub duty: Arc<Label>,
    pub position: Arc<Label>,
    /// What each version asks for, by version.
    asks: Vec<(i32, Asks)>,
}

impl Named {
    /// What a task made under `version` asks for: that version's words, or the
    /// latest's when it has none of its own.
    pub fn asks(&self, version: i32) -> Option<&Asks> {
        let of = |v: i32| self.asks.iter().find(|(n, _)| *n == v).map(|(_, a)| a);
        of(version).or_else(|| of(self.version))
    }
}

/// The cached directory at one catalogue version.
#[derive(Debug)]
pub struct Directory {
    pub version: i64,
    pub tz: Tz,
    pub departments: Vec<Department>,
    manages_people: HashSet<String>,
    /// The company's work calendar.
    calendar: WorkCalendar,
    /// The departments' own calendars, by name.
    named_calendars: HashMap<String, WorkCalendar>,
    /// The name of the calendar of each position whose department keeps one of its own.
    own_calendars: HashMap<String, String>,
    templates: HashMap<String, Arc<Named>>,
    /// Templates made since it was read that are not catalogue changes (one-off
    /// tasks'), learnt when a list first shows one.
    learnt: RwLock<HashMap<String, Arc<Named>>>,
}

impl Directory {
    /// Reads it from the database (five statements and two per thousand templates;
    /// only when the version moved).
    fn load(conn: &mut AnyConn) -> AppResult<Directory> {
        let company = db::org::company(conn)?.ok_or_else(|| AppError::new(ErrorCode::NotImported))?;
        let tz: Tz =
            company.timezone.parse().map_err(|_| AppError::corrupt(format!("time zone `{}`", company.timezone)))?;
        let org = db::org::load_without_templates(conn)?;
        let manages_people = org.positions.iter().filter(|p| p.manages_people).map(|p| p.id.clone()).collect();
        let (calendar, named_calendars) = super::context::calendars(conn, &company.calendars)?;
        let own_calendars = org
            .positions
            .iter()
            .filter_map(|p| {
                let d = org.departments.iter().find(|d| d.id == p.department_id)?;
                Some((p.id.clone(), d.calendar.clone()?))
            })
            .collect();
        let label = |id: &str, zh: &str, en: &str| Arc::new(Label { id: id.into(), zh: zh.into(), en: en.into() });
        let positions: HashMap<&str, Arc<Label>> =
            org.positions.iter().map(|p| (p.id.as_str(), label(&p.id, &p.zh, &p.en))).collect();
        let duties: HashMap<&str, Arc<Label>> =
            org.duties.iter().map(|d| (d.id.as_str(), label(&d.id, &d.zh, &d.en))).collect();
        let parse = |id: &str, spec: &str| -> AppResult<Asks> {
            let spec: TemplateSpec =
                serde_json::from_str(spec).map_err(|e| AppError::corrupt(format!("template {id}: {e}")))?;
            Ok(spec.into())
        };
        // A page of templates at a time with their versions, so that reading 20,000
        // of them never holds every spec's JSON at once.
        let mut templates = HashMap::new();
        db::versions::template_pages(conn, db::versions::TEMPLATES_PER_READ, |page, mut versions| -> AppResult<()> {
            for t in page {
                let position = positions
                    .get(t.position_id.as_str())
                    .cloned()
                    .ok_or_else(|| AppError::corrupt(format!("template {}: position {}", t.id, t.position_id)))?;
                let duty = duties
                    .get(t.duty_id.as_str())
                    .cloned()
                    .ok_or_else(|| AppError::corrupt(format!("template {}: duty {}", t.id, t.duty_id)))?;
                let older = versions.remove(&t.id).unwrap_or_default();
                let mut asks = older
                    .iter()
                    .map(|v| Ok((v.version, parse(&v.template_id, &v.spec)?)))
                    .collect::<AppResult<Vec<_>>>()?;
                if !asks.iter().any(|(v, _)| *v == t.version) {
                    asks.push((t.version, parse(&t.id, &t.spec)?));
                }
                templates
                    .insert(t.id, Arc::new(Named { version: t.version, zh: t.zh, en: t.en, duty, position, asks }));
            }
            Ok(())
        })?;
        let departments = org.departments.into_iter().map(Department::from).collect();
        Ok(Directory {
            version: company.catalog_version,
            tz,
            departments,
            manages_people,
            calendar,
            named_calendars,
            own_calendars,
            templates,
            learnt: RwLock::default(),
        })
    }

    /// The work calendar of `viewer`: their first position's department's own, if it
    /// keeps one, else the company's.
    pub fn calendar_of(&self, viewer: &Viewer) -> &WorkCalendar {
        let own = viewer.positions.iter().find_map(|p| self.own_calendars.get(p));
        own.and_then(|name| self.named_calendars.get(name)).unwrap_or(&self.calendar)
    }

    /// A template by id, if known.
    pub fn template(&self, id: &str) -> Option<Arc<Named>> {
        match self.templates.get(id) {
            Some(t) => Some(Arc::clone(t)),
            None => self.learnt.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(id).cloned(),
        }
    }

    /// Reads templates made since (one-off tasks'), in one statement.
    pub fn learn(&self, conn: &mut AnyConn, ids: &[String]) -> AppResult<()> {
        let mut found = Vec::new();
        for (t, d, p) in db::org::templates_named(conn, ids)? {
            let spec: TemplateSpec =
                serde_json::from_str(&t.spec).map_err(|e| AppError::corrupt(format!("template {}: {e}", t.id)))?;
            let label = |id: String, zh: String, en: String| Arc::new(Label { id, zh, en });
            let named = Named {
                version: t.version,
                duty: label(d.id, d.zh, d.en),
                position: label(p.id, p.zh, p.en),
                asks: vec![(t.version, spec.into())],
                zh: t.zh,
                en: t.en,
            };
            found.push((t.id, Arc::new(named)));
        }
        self.learnt.write().unwrap_or_else(std::sync::PoisonError::into_inner).extend(found);
        Ok(())
    }

    /// The person of `rows` (one per position held on `today`), if they work here on that day.
    pub fn viewer(&self, rows: &[AskerRow], today: NaiveDate) -> Option<Viewer> {
        let first = rows.first().filter(|r| r.active_on(today))?;
        let positions: BTreeSet<String> = rows.iter().filter_map(|r| r.position_id.clone()).collect();
        Some(Viewer {
            id: first.staff_id,
            name: first.name.clone(),
            admin: first.is_admin,
            hr: positions.iter().any(|p| self.manages_people.contains(p)),
            locale: first.locale.clone(),
            leads: departments_led(&self.departments, &positions),
            positions,
        })
    }
}

/// The directory of the catalogue version last seen, shared by a server's workers.
#[derive(Debug, Default)]
pub struct Cache {
    kept: RwLock<Option<Arc<Directory>>>,
    /// Held while one request reloads, so that a change does not make every request
    /// in flight read the whole catalogue at once.
    loading: Mutex<()>,
}

impl Cache {
    /// The directory last read, if any.
    pub fn kept(&self) -> Option<Arc<Directory>> {
        self.kept.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The directory at catalogue `version` (as the database says it is now): the
    /// kept one if it is that version, otherwise read anew.
    pub fn at(&self, conn: &mut AnyConn, version: Option<i64>) -> AppResult<Arc<Directory>> {
        let fresh = |d: &Option<Arc<Directory>>| d.as_ref().filter(|d| Some(d.version) == version).cloned();
        if let Some(d) = fresh(&self.kept()) {
            return Ok(d);
        }
        let _turn = self.loading.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(d) = fresh(&self.kept()) {
            return Ok(d);
        }
        let d = Arc::new(Directory::load(conn)?);
        *self.kept.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&d));
        Ok(d)
    }

    /// The directory at the catalogue version the database has now (one statement
    /// more than [`Cache::at`], for callers that have not read the version).
    pub fn current(&self, conn: &mut AnyConn) -> AppResult<Arc<Directory>> {
        let version = db::versions::current(conn)?;
        self.at(conn, version)
    }

    /// The kept directory, or a freshly read one when there is none yet.
    pub fn any(&self, conn: &mut AnyConn) -> AppResult<Arc<Directory>> {
        match self.kept() {
            Some(d) => Ok(d),
            None => self.at(conn, None),
        }
    }
}
