-- Routing, as business messaging tools do it: a welcome message with a numbered menu, rules
-- mapping menu numbers and keywords to teams, a fallback, business hours per team, and
-- assignment inside a team (round-robin or least-open-conversations) to agents who are online
-- and under their capacity, oldest waiting first. Also snoozing.

CREATE TABLE routing_settings (
    tenant_id             uuid PRIMARY KEY REFERENCES tenants (id),
    enabled               boolean NOT NULL DEFAULT false,
    -- Message templates sent to the member; NULL sends nothing. Placeholders: see docs/routing.md.
    welcome_message       text CHECK (length(welcome_message) <= 4096),
    fallback_message      text CHECK (length(fallback_message) <= 4096),
    assignment_message    text CHECK (length(assignment_message) <= 4096),
    out_of_hours_message  text CHECK (length(out_of_hours_message) <= 4096),
    queue_message         text CHECK (length(queue_message) <= 4096),
    -- Where a conversation goes when the member's answer to the menu matches nothing.
    fallback_team_id      uuid,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, fallback_team_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (fallback_team_id)
);

CREATE TABLE routing_rules (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    team_id      uuid NOT NULL,
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    -- The number shown in the welcome menu; NULL keeps the rule out of the menu (keywords only).
    menu_number  integer CHECK (menu_number BETWEEN 1 AND 99),
    -- Stored folded (lower case, no accents), as they are matched.
    keywords     text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, menu_number),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE teams
    ADD COLUMN assignment_strategy text NOT NULL DEFAULT 'round_robin'
        CHECK (assignment_strategy IN ('round_robin', 'least_busy')),
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    -- NULL: always open. Otherwise a list of {day, open, close} in the team's time zone.
    ADD COLUMN business_hours jsonb,
    -- Used for the wait estimate when the team has no recent assignments to measure.
    ADD COLUMN expected_handle_minutes integer NOT NULL DEFAULT 10 CHECK (expected_handle_minutes BETWEEN 1 AND 1440),
    -- Round-robin continues after this agent.
    ADD COLUMN last_assigned_user_id uuid;

ALTER TABLE users
    ADD COLUMN availability text NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'offline')),
    ADD COLUMN max_open_conversations integer NOT NULL DEFAULT 10 CHECK (max_open_conversations BETWEEN 1 AND 1000);

ALTER TABLE conversations
    -- none: routing never ran (disabled, or handled by hand); awaiting_choice: the welcome menu
    -- was sent; queued: waiting in team_id's queue since queued_at; assigned: routing gave it out.
    ADD COLUMN routing_state text NOT NULL DEFAULT 'none'
        CHECK (routing_state IN ('none', 'awaiting_choice', 'queued', 'assigned')),
    ADD COLUMN queued_at timestamptz;

CREATE INDEX conversations_waiting_idx ON conversations (tenant_id, team_id, queued_at, id)
    WHERE routing_state = 'queued' AND status <> 'closed';
CREATE INDEX conversations_assignee_open_idx ON conversations (tenant_id, assignee_id)
    WHERE status <> 'closed';

ALTER TABLE routing_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON routing_settings USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
ALTER TABLE routing_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON routing_rules USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
