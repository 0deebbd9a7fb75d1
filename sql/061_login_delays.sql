-- Failed logins slow down instead of locking (issue 15: a stranger who knew an email could lock
-- its owner out for 15 minutes with ten wrong passwords). Past a free number of failures within
-- the window, each failure makes the next attempt wait twice as long as the last, up to a cap:
-- next_attempt_at says when. The per-account wait does not apply from an address the account
-- has signed in from before (login_known_addresses), so its owner is not held back by strangers.

ALTER TABLE login_throttle ADD COLUMN next_attempt_at timestamptz;

-- Global like login_throttle: the login email (bounded by the API) and a client address.
CREATE TABLE login_known_addresses (
    account        text NOT NULL,
    address        text NOT NULL CHECK (length(address) <= 64),
    last_login_at  timestamptz NOT NULL,
    PRIMARY KEY (account, address)
);
CREATE INDEX login_known_addresses_last_login_idx ON login_known_addresses (last_login_at);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
