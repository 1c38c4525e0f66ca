-- The organisations sample's database. The host runs this once, in one transaction, when data/organisations.db does
-- not exist yet (delete the file to start again).

CREATE TABLE users (
  id    INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name  TEXT NOT NULL
);

CREATE TABLE orgs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  slug        TEXT UNIQUE,
  description TEXT,
  owner_id    INTEGER NOT NULL REFERENCES users (id),
  created_at  TEXT NOT NULL
);

CREATE TABLE memberships (
  org_id  INTEGER NOT NULL REFERENCES orgs (id),
  user_id INTEGER NOT NULL REFERENCES users (id),
  role    TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  PRIMARY KEY (org_id, user_id)
);

INSERT INTO users (email, name) VALUES
  ('ada@example.com', 'Ada Lovelace'),
  ('grace@example.com', 'Grace Hopper'),
  ('alan@example.com', 'Alan Turing');
