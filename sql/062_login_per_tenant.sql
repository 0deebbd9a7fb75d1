-- Emails are unique per tenant, not across tenants (issue 15): with one global email index, an
-- admin creating a user learned from 409 email_taken whether an address had an account in
-- another tenant. Now each tenant's users stand alone; one person may have accounts in several
-- tenants under one email, and the login finds the account by email and password (and by the
-- tenant's slug when the same email and password open more than one).
ALTER TABLE login_lookup DROP CONSTRAINT login_lookup_pkey;
ALTER TABLE login_lookup ADD PRIMARY KEY (email, tenant_id);
