# What went wrong, by error code (the JSON `code`): each `error-<code>`.
# Arguments are named in each message; keep them in both languages.

error-malformed = the request could not be read: { $problem }
error-too_large = the request body is too large
error-unsupported_media_type = send the body as JSON (Content-Type: application/json)
error-no_such_page = no such page or endpoint
error-csrf_expired = this page has expired; reload it and try again
error-unauthenticated = sign in first: send `Authorization: Bearer <token>`
error-wrong_credentials = wrong email or password
error-throttled = { $seconds ->
    [one] too many failed sign-ins; try again in { $seconds } second
   *[other] too many failed sign-ins; try again in { $seconds } seconds
}
error-dashboard_forbidden = dashboards are for department leads and admins; your own record is under My history
error-outbox_forbidden = only admins can read the outbox
error-events_forbidden = only leads and admins fire events
error-task_not_found = no task { $id }
error-staff_not_found = no staff member with id { $id }
error-template_not_found = no template `{ $template }`
error-position_not_found = no position `{ $position }`
error-department_not_found = no department `{ $department }` of yours
error-token_not_found = no token { $id } of yours
error-feed_not_found = no such calendar feed
error-invalid_date = use a date as YYYY-MM-DD
error-invalid_choice = `{ $value }` is not one of { $allowed }
error-out_of_range = must be between { $min } and { $max }
error-too_long = at most { $max } characters
error-unknown_position = unknown position `{ $position }`
error-not_holder = staff { $staff } does not hold `{ $position }` on { $date }
error-leave_reversed = leave ends before it starts
error-event_name = `{ $name }` is not an event name (a-z, 0-9, _)
error-event_date = { $problem }
error-period_reversed = the period ends before it starts
error-period_too_long = a period is at most { $max } days
error-no_figures = this template records no figures
error-figures_not_object = must be an object of figure values by key
error-catalog = { $problem }
error-note_required = this task asks for a note
error-signoff_required = this task asks for your sign-off
error-figure_unknown = this task does not ask for this figure
error-figure_required = this figure is required
error-not_negative = must be 0 or more
error-not_integer = must be a whole number
error-not_number = must be a number
error-not_text = must be text
error-not_yes_no = must be yes or no
error-reason_required = skipping needs a reason
error-already_done = this task is already done
error-skipped_reopen_first = this task was skipped; reopen it first
error-done_reopen_first = this task is already done; reopen it first
error-not_finished = this task is not done or skipped
error-undo_expired = undo is possible for { $minutes } minutes; ask your lead to reopen it
error-changed_meanwhile = someone changed this task just now; reload it
error-not_imported = the company catalogue has not been imported; run `dutyday migrate`
error-unavailable = the database cannot be used right now; try again shortly
error-internal = something went wrong on our side; it has been logged
error-unknown_event = no template is triggered by `{ $name }`; known events: { $known }
error-wrong_password = this is not your current password
error-password_too_short = use at least { $min } characters
error-password_is_email = a password may not be your email or your name
error-password_weak = this password is too easy to guess: use a longer phrase, or words that do not belong together
error-leave_overlaps = this overlaps leave already recorded from { $from } to { $to }
error-headcount_full = `{ $position }` has a headcount of { $headcount } and every seat is taken; end a holding first, or raise the headcount
error-people_forbidden = only admins manage people's accounts
error-link_invalid = this link has expired or was already used; ask for a new one
error-no_such_email = nobody active has the email `{ $email }`
error-audit_forbidden = only admins read the audit log
