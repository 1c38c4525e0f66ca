-- The shop sample's users: created and filled the first time each environment's SQLite file is opened.
CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL, owner varchar(100) NOT NULL);
INSERT INTO users (id, name, owner) VALUES (1, 'Ada', 'ada'), (2, 'Brian', 'brian'), (3, 'Cleo', 'ada');
