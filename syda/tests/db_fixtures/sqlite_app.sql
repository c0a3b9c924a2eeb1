-- An SQLite schema written for syda's tests, modelled on the Chinook
-- sample and on application databases: a NOT NULL foreign-key cycle
-- (employee.store_id → store, store.manager_id → employee), a trigger that
-- writes an audit table, generated columns, unique indexes, CHECKs, a view.
CREATE TABLE artist (
    artist_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name NVARCHAR(120) NOT NULL
);
CREATE TABLE album (
    album_id INTEGER PRIMARY KEY AUTOINCREMENT,
    title NVARCHAR(160) NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (artist_id)
);
CREATE TABLE media_type (
    media_type_id INTEGER PRIMARY KEY,
    name NVARCHAR(120) NOT NULL UNIQUE
);
CREATE TABLE track (
    track_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name NVARCHAR(200) NOT NULL,
    album_id INTEGER REFERENCES album (album_id),
    media_type_id INTEGER NOT NULL REFERENCES media_type (media_type_id),
    milliseconds INTEGER NOT NULL CHECK (milliseconds > 0),
    bytes INTEGER,
    unit_price NUMERIC(10,2) NOT NULL CHECK (unit_price BETWEEN 0.1 AND 9.99),
    seconds INTEGER GENERATED ALWAYS AS (milliseconds / 1000) VIRTUAL
);
CREATE TABLE track_audit (
    id INTEGER PRIMARY KEY,
    track_id INTEGER NOT NULL,
    at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TRIGGER track_inserted AFTER INSERT ON track
BEGIN
    INSERT INTO track_audit (track_id) VALUES (NEW.track_id);
END;
CREATE TABLE store (
    store_id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL UNIQUE REFERENCES employee (employee_id),
    city NVARCHAR(40) NOT NULL
);
CREATE TABLE employee (
    employee_id INTEGER PRIMARY KEY,
    last_name NVARCHAR(20) NOT NULL,
    first_name NVARCHAR(20) NOT NULL,
    full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
    email NVARCHAR(60) NOT NULL,
    store_id INTEGER NOT NULL REFERENCES store (store_id),
    hire_date DATETIME
);
CREATE UNIQUE INDEX employee_email ON employee (email);
CREATE VIEW album_list AS SELECT a.title, r.name FROM album a JOIN artist r USING (artist_id);
