-- A PostgreSQL schema written for syda's tests, modelled on what the
-- Pagila sample and real application migrations contain: domains, enums,
-- arrays, extension types, expression and partial unique indexes,
-- generated columns, triggers, a partitioned table, sequences attached by
-- DEFAULT nextval only, views, and a NOT NULL foreign-key cycle.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS ltree;

CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN short_code AS varchar(6) CHECK (VALUE ~ '^[A-Z]{2,6}$');
CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');

-- A dump's sequence: attached by the default only, not OWNED BY.
CREATE SEQUENCE actor_actor_id_seq;
CREATE TABLE actor (
    actor_id integer DEFAULT nextval('actor_actor_id_seq'::regclass) NOT NULL PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
    last_update timestamptz DEFAULT now() NOT NULL
);

CREATE TABLE language (
    language_id serial PRIMARY KEY,
    name character(20) NOT NULL,
    code short_code NOT NULL
);
CREATE UNIQUE INDEX language_name_ci ON language (lower(name));

CREATE TABLE film (
    film_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    slug text NOT NULL,
    description text,
    release_year year,
    language_id integer NOT NULL REFERENCES language (language_id),
    rental_duration smallint DEFAULT 3 NOT NULL,
    rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
    length interval,
    replacement_cost money NOT NULL,
    rating mpaa_rating DEFAULT 'G',
    special_features text[],
    scores integer[],
    fulltext tsvector NOT NULL,
    poster_hash bytea NOT NULL CHECK (octet_length(poster_hash) = 32),
    metadata jsonb,
    created_at timestamp DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX film_title_ci ON film (lower(title));

CREATE TABLE film_actor (
    actor_id integer NOT NULL REFERENCES actor (actor_id),
    film_id integer NOT NULL REFERENCES film (film_id),
    PRIMARY KEY (actor_id, film_id)
);

-- Filled by a trigger on film: not seeded.
CREATE TABLE film_audit (
    id bigserial PRIMARY KEY,
    film_id integer NOT NULL,
    title text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION film_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.slug := lower(regexp_replace(NEW.title, '[^a-zA-Z0-9]+', '-', 'g')) || '-' || NEW.film_id;
    RETURN NEW;
END $$;
CREATE TRIGGER film_slug BEFORE INSERT ON film FOR EACH ROW EXECUTE FUNCTION film_before();

CREATE FUNCTION film_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO film_audit (film_id, title) VALUES (NEW.film_id, NEW.title);
    RETURN NULL;
END $$;
CREATE TRIGGER film_audit_insert AFTER INSERT ON film FOR EACH ROW EXECUTE FUNCTION film_after();

CREATE TABLE category (
    category_id serial PRIMARY KEY,
    path ltree NOT NULL,
    name citext NOT NULL UNIQUE
);

-- A NOT NULL cycle: every store has a manager, every member of staff a store.
CREATE TABLE store (
    store_id serial PRIMARY KEY,
    manager_staff_id integer NOT NULL UNIQUE,
    address inet NOT NULL,
    network cidr,
    last_update timestamptz DEFAULT now() NOT NULL
);
CREATE TABLE staff (
    staff_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email citext NOT NULL,
    store_id integer NOT NULL REFERENCES store (store_id) DEFERRABLE INITIALLY IMMEDIATE,
    active boolean DEFAULT true NOT NULL,
    username text NOT NULL,
    mac macaddr,
    location point,
    deleted_at timestamptz,
    profile xml
);
ALTER TABLE store ADD CONSTRAINT store_manager_fk FOREIGN KEY (manager_staff_id)
    REFERENCES staff (staff_id) DEFERRABLE INITIALLY IMMEDIATE;
-- Unique among live rows only; on a function of the column.
CREATE UNIQUE INDEX staff_username_live ON staff (username) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX staff_email_ci ON staff (lower(email::text));

CREATE TABLE customer (
    customer_id serial PRIMARY KEY,
    store_id integer NOT NULL REFERENCES store (store_id),
    email text,
    active boolean,
    create_date date DEFAULT CURRENT_DATE NOT NULL
);
CREATE UNIQUE INDEX customer_email_ci ON customer (lower(btrim(email)));

CREATE TABLE rental (
    rental_id serial PRIMARY KEY,
    rental_date timestamptz NOT NULL,
    customer_id integer NOT NULL REFERENCES customer (customer_id),
    staff_id integer NOT NULL REFERENCES staff (staff_id),
    return_date timestamptz
);

-- Partitioned by month; the foreign keys are declared on the partitions only.
CREATE TABLE payment (
    payment_id serial NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    payment_date timestamptz NOT NULL,
    PRIMARY KEY (payment_date, payment_id)
) PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2022_01 PARTITION OF payment
    FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00');
CREATE TABLE payment_p2022_02 PARTITION OF payment
    FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00');
CREATE TABLE payment_p2022_03 PARTITION OF payment
    FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE payment_p2022_02 ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE payment_p2022_03 ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE payment_p2022_02 ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE payment_p2022_03 ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (rental_id) REFERENCES rental (rental_id);
ALTER TABLE payment_p2022_02 ADD FOREIGN KEY (rental_id) REFERENCES rental (rental_id);
ALTER TABLE payment_p2022_03 ADD FOREIGN KEY (rental_id) REFERENCES rental (rental_id);

CREATE VIEW film_list AS SELECT f.film_id, f.title, l.name AS language FROM film f JOIN language l USING (language_id);
CREATE MATERIALIZED VIEW rental_by_category AS SELECT c.name, count(*) AS n FROM category c GROUP BY c.name;
