# The words of reminders, digests and escalations, in English.
mail_due_soon_subject = [Due in { $hours }] { $task }
mail_overdue_subject = [Overdue { $late }] { $task }
mail_repeat_subject = [Still open, { $late } overdue] { $task }
mail_escalation_subject = [Escalation: { $name }, { $late } overdue] { $task }
mail_digest_subject = Today's tasks ({ $date }): { $n }, { $m } of them overdue
mail_lead_digest_subject = Overdue work in your departments ({ $date }): { $n }
mail_greeting = Hello { $name },
mail_due_soon_lead = This task is nearly due.
mail_overdue_lead = This task is past its due time. Please finish it soon, or skip it with a reason on its page.
mail_repeat_lead = This task is still open (reminder { $n }).
mail_escalation_lead = { $name }'s task is { $late } overdue; please follow it up.
mail_digest_lead = Your tasks for today, and the overdue ones:
mail_lead_digest_lead = Overdue work in the departments you lead:
mail_task = Task
mail_position = Position
mail_assignee = Assignee
mail_due_at = Due
mail_open_task = Open the task
mail_open_today = Open today's tasks
mail_open_dashboard = Open the dashboard
mail_footer = Sent by dutyday from your position's duties. Morning digests can be turned off on the My history page; escalations cannot.
mail_minutes = { $n } min
mail_hours = { $n } h
mail_days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
mail_overdue_mark = overdue
mail_nobody = nobody
mail_and_more = … and { $n } more: open the page to see them all
mail_escalations_subject = { $n ->
    [one] [Escalation] { $n } overdue task needs your follow-up
   *[other] [Escalation] { $n } overdue tasks need your follow-up
}
mail_escalations_lead = This work is overdue past its escalation limit; please follow it up:
mail_reminders_subject = { $n ->
    [one] [Reminder] { $n } of your tasks needs attention, { $m } overdue
   *[other] [Reminder] { $n } of your tasks need attention, { $m } overdue
}
mail_reminders_lead = These tasks of yours are due soon or overdue:
rk_due_soon = due soon
rk_overdue = overdue
rk_repeat = repeat
rk_escalation = escalation
rk_digest = digest
rk_lead_digest = lead digest
mail_invite_subject = You are invited to { $company }'s dutyday
mail_invite_lead = { $company } has opened a dutyday account for you: your daily work appears under Today, from your position's duties. First, set a password.
mail_reset_subject = Reset your dutyday password
mail_reset_lead = Someone (we hope you) asked to reset your password for { $company }'s dutyday.
mail_set_first_password = Set your password
mail_set_new_password = Set a new password
mail_link_footer = { $hours ->
    [one] The link works for { $hours } hour, once. If you did not ask for it, ignore this mail: your password stays as it is.
   *[other] The link works for { $hours } hours, once. If you did not ask for it, ignore this mail: your password stays as it is.
}
rk_invitation = invitation
rk_password_reset = password reset

# Leave and positions.
mail_leave_request_subject = { $name } asks for leave: { $dates }
mail_leave_request_lead = { $name } asks for leave. Approve or decline it on the leave page.
mail_leave_approved_subject = Your leave is approved: { $dates }
mail_leave_approved_lead = { $name } approved your leave. While you are away, your tasks go to your cover.
mail_leave_declined_subject = Your leave is declined: { $dates }
mail_leave_declined_lead = { $name } declined your leave.
mail_open_leave = Open the leave page
mail_position_subject = You now hold { $position }
mail_position_lead = From { $from } you hold { $position }. Its duties are below; your daily work appears under Today.
mail_position_link = Read the job description
mail_one_off_done_subject = Done: { $title } ({ $name })
mail_one_off_done_lead = { $name } has completed "{ $title }", which you assigned.
mail_calendar_missing_subject = The { $year } work calendar is not loaded yet
mail_calendar_missing_lead = Without the { $year } work calendar, dutyday counts only Monday to Friday as working days from January on: public holidays and make-up working days are missed. When the State Council publishes { $year }'s holidays, load them on the Work calendar page (the link below), or with `dutyday calendar load calendars/cn-{ $year }.tsv` (date, kind, name; one line a day).
mail_open_org = Open dutyday
