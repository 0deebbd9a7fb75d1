-- Full-text search over messages, and indexes for analytics over conversation_events.
--
-- Search copes with Spanish, Portuguese and English at once, accent- and case-insensitively.
-- PostgreSQL stems with one language per configuration, so a message's search vector is the
-- union of several analyses, and a query is the OR of the same analyses of the query text:
--   * fieldline_es / _pt / _en: unaccent, then the language's Snowball stemmer — "camion" finds
--     "camión" and "camiones", "instalacao" finds "instalação";
--   * spanish / portuguese (stock): stem with the accents kept, which the Portuguese stemmer
--     needs to bring "instalações" and "instalação" to one stem ("instal").
-- Matching is exact on lexemes, and both sides go through the same analyses, so any one
-- analysis agreeing is a match. See docs/search-and-analytics.md.
--
-- unaccent is a trusted extension (PostgreSQL 13+): the database owner (our app role, which
-- is not a superuser) may create it. Where the app role does not own the database, an
-- administrator runs `CREATE EXTENSION unaccent; CREATE EXTENSION btree_gin;` once beforehand.
CREATE EXTENSION IF NOT EXISTS unaccent;
-- GIN over (tenant_id, vector): a common word's postings are narrowed to one tenant.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TEXT SEARCH CONFIGURATION fieldline_es (COPY = spanish);
ALTER TEXT SEARCH CONFIGURATION fieldline_es
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
CREATE TEXT SEARCH CONFIGURATION fieldline_pt (COPY = portuguese);
ALTER TEXT SEARCH CONFIGURATION fieldline_pt
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;
CREATE TEXT SEARCH CONFIGURATION fieldline_en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION fieldline_en
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

-- The search vector of a message body. IMMUTABLE (every configuration is named), so a
-- generated column can use it.
CREATE FUNCTION fieldline_search_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT to_tsvector('public.fieldline_es'::regconfig, coalesce(body, ''))
        || to_tsvector('public.fieldline_pt'::regconfig, coalesce(body, ''))
        || to_tsvector('public.fieldline_en'::regconfig, coalesce(body, ''))
        || to_tsvector('pg_catalog.spanish'::regconfig, coalesce(body, ''))
        || to_tsvector('pg_catalog.portuguese'::regconfig, coalesce(body, ''))
    $$;

-- A search query in web-search syntax ("quoted phrase", or, -word), analysed the same ways.
CREATE FUNCTION fieldline_search_query(query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT websearch_to_tsquery('public.fieldline_es'::regconfig, query)
        || websearch_to_tsquery('public.fieldline_pt'::regconfig, query)
        || websearch_to_tsquery('public.fieldline_en'::regconfig, query)
        || websearch_to_tsquery('pg_catalog.spanish'::regconfig, query)
        || websearch_to_tsquery('pg_catalog.portuguese'::regconfig, query)
    $$;

-- Stored rather than an expression index: analysing a body five ways costs ~0.1 ms, checking a
-- stored vector a few microseconds. That matters because of row-level security: PostgreSQL uses
-- an index for a condition under RLS only when its operator is LEAKPROOF, and the text-search
-- match operator (ts_match_vq) is not marked so by default; only a superuser can mark it. Until
-- an operator does (docs/search-and-analytics.md), searches check the stored vectors of the
-- tenant's messages one by one; after it, the GIN index below answers them.
ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (fieldline_search_vector(body)) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (tenant_id, search_vector);
-- Date-range filters of search and the message counts of analytics.
CREATE INDEX messages_created_idx ON messages (tenant_id, created_at);

-- Analytics read the events of a period, then each conversation's earlier events.
CREATE INDEX conversation_events_at_idx ON conversation_events (tenant_id, at);
CREATE INDEX conversation_events_kind_idx ON conversation_events (tenant_id, conversation_id, kind, at);
