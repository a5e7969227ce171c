//! The one diesel schema for both backends (see `migrations/{sqlite,postgres}`).

diesel::table! {
    company (id) {
        id -> Integer,
        name -> Text,
        name_en -> Text,
        timezone -> Text,
        festivals -> Text,
        imported_at -> Timestamp,
        reminders -> Text,
        webhooks -> Text,
        catalog_version -> BigInt,
        calendars -> Text,
        list_epoch -> BigInt,
    }
}

diesel::table! {
    staff_list_stamps (staff_id) {
        staff_id -> BigInt,
        rev -> BigInt,
    }
}

diesel::table! {
    position_list_stamps (position_id) {
        position_id -> Text,
        rev -> BigInt,
    }
}

diesel::table! {
    departments (id) {
        id -> Text,
        zh -> Text,
        en -> Text,
        lead_position_id -> Nullable<Text>,
        reports_to -> Nullable<Text>,
        sort_order -> Integer,
        retired_on -> Nullable<Date>,
        calendar -> Nullable<Text>,
    }
}

diesel::table! {
    positions (id) {
        id -> Text,
        department_id -> Text,
        zh -> Text,
        en -> Text,
        headcount -> Integer,
        sort_order -> Integer,
        manages_people -> Bool,
        retired_on -> Nullable<Date>,
    }
}

diesel::table! {
    duties (id) {
        id -> Text,
        position_id -> Text,
        kind -> Text,
        zh -> Text,
        en -> Text,
        source -> Text,
        sort_order -> Integer,
        assigned -> Bool,
        retired_on -> Nullable<Date>,
    }
}

diesel::table! {
    templates (id) {
        id -> Text,
        duty_id -> Text,
        position_id -> Text,
        zh -> Text,
        en -> Text,
        spec -> Text,
        active -> Bool,
        sort_order -> Integer,
        origin -> Text,
        paused_at -> Nullable<Timestamp>,
        version -> Integer,
        retired_on -> Nullable<Date>,
        retire_reason -> Text,
    }
}

diesel::table! {
    template_versions (template_id, version) {
        template_id -> Text,
        version -> Integer,
        effective_from -> Date,
        duty_id -> Text,
        position_id -> Text,
        zh -> Text,
        en -> Text,
        spec -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
        reason -> Text,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        is_admin -> Bool,
        locale -> Text,
        active -> Bool,
        created_at -> Timestamp,
        ical_token_hash -> Nullable<Text>,
        digest_opt_out -> Bool,
        left_on -> Nullable<Date>,
    }
}

diesel::table! {
    position_holders (id) {
        id -> BigInt,
        staff_id -> BigInt,
        position_id -> Text,
        deputy -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
    }
}

diesel::table! {
    leaves (id) {
        id -> BigInt,
        staff_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        note -> Text,
        status -> Text,
        half_day -> Nullable<Text>,
        requested_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        answer -> Text,
    }
}

diesel::table! {
    calendar_days (calendar, day) {
        calendar -> Text,
        day -> Date,
        kind -> Text,
        name -> Text,
    }
}

diesel::table! {
    calendar_years (calendar, year) {
        calendar -> Text,
        year -> Integer,
        source -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        name -> Text,
        subject -> Text,
        subject_staff_id -> Nullable<BigInt>,
        occurs_on -> Date,
        fired_at -> Timestamp,
    }
}

diesel::table! {
    template_state (template_id) {
        template_id -> Text,
        generated_through -> Date,
    }
}

diesel::table! {
    tasks (id) {
        id -> BigInt,
        template_id -> Text,
        occurrence -> Text,
        slot -> Text,
        occurs_on -> Date,
        due_at -> Timestamp,
        position_id -> Text,
        department_id -> Text,
        assignee_id -> Nullable<BigInt>,
        cover -> Text,
        covered_staff_id -> Nullable<BigInt>,
        event_id -> Nullable<BigInt>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<BigInt>,
        note -> Nullable<Text>,
        figures -> Nullable<Text>,
        assigned_by -> Nullable<BigInt>,
        template_version -> Integer,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        staff_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        first_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    task_log (id) {
        id -> BigInt,
        task_id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(positions -> departments (department_id));
diesel::joinable!(duties -> positions (position_id));
diesel::joinable!(templates -> duties (duty_id));
diesel::table! {
    outbox (id) {
        id -> BigInt,
        dedupe_key -> Text,
        kind -> Text,
        level -> Integer,
        task_id -> Nullable<BigInt>,
        task_assignee_id -> Nullable<BigInt>,
        recipient_id -> Nullable<BigInt>,
        channel -> Text,
        address -> Text,
        lang -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        items -> Text,
        body_json -> Nullable<Text>,
    }
}

diesel::table! {
    reminder_marks (task_id) {
        task_id -> BigInt,
        assignee_id -> Nullable<BigInt>,
        steps -> BigInt,
    }
}

diesel::table! {
    day_rollup (day, department_id) {
        day -> Date,
        department_id -> Text,
        done -> BigInt,
        on_time -> BigInt,
        skipped -> BigInt,
        missed -> BigInt,
    }
}

diesel::table! {
    open_rollup (day, department_id, due_on) {
        day -> Date,
        department_id -> Text,
        due_on -> Date,
        n -> BigInt,
    }
}

diesel::joinable!(position_holders -> staff (staff_id));
diesel::joinable!(position_holders -> positions (position_id));
diesel::joinable!(outbox -> tasks (task_id));
diesel::joinable!(reminder_marks -> tasks (task_id));
diesel::joinable!(tasks -> templates (template_id));

diesel::table! {
    sessions (secret_hash) {
        secret_hash -> Text,
        staff_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    account_links (secret_hash) {
        secret_hash -> Text,
        staff_id -> BigInt,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        subject -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> staff (staff_id));
diesel::joinable!(account_links -> staff (staff_id));

diesel::allow_tables_to_appear_in_same_query!(
    company,
    day_rollup,
    departments,
    open_rollup,
    outbox,
    reminder_marks,
    positions,
    duties,
    templates,
    template_versions,
    staff,
    position_holders,
    leaves,
    calendar_days,
    calendar_years,
    events,
    template_state,
    tasks,
    api_tokens,
    login_throttle,
    task_log,
    secrets,
    sessions,
    account_links,
    audit_log,
    staff_list_stamps,
    position_list_stamps,
);
