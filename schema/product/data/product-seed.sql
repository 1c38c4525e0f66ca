-- The product sample's database. The host runs this once, in one transaction, when data/product.db does not
-- exist yet (delete the file to start again).

CREATE TABLE door_prices (
  product_id varchar(20) PRIMARY KEY,
  range      varchar(255) NOT NULL,
  style      varchar(255) NOT NULL,
  colour     varchar(255) NOT NULL,
  component  varchar(255) NOT NULL,
  hinge      varchar(255) NOT NULL,
  height     decimal(18,6) NOT NULL,
  width      decimal(18,6) NOT NULL,
  price      decimal(18,2) NOT NULL
);
CREATE INDEX door_prices_lookup ON door_prices (range, style, colour, component, hinge, height, width);

INSERT INTO door_prices (product_id, range, style, colour, component, hinge, height, width, price) VALUES
  ('1058150101', 'Aspire', 'Ascot', 'Brown Grey Avola', 'Door', '3 Hinge Holes - Left', 715, 296, 41.10),
  ('1058150102', 'Aspire', 'Ascot', 'Brown Grey Avola', 'Door', '3 Hinge Holes - Right', 715, 296, 41.10),
  ('1058150103', 'Aspire', 'Ascot', 'Brown Grey Avola', 'Door', '3 Hinge Holes - Left', 285, 296, 23.47),
  ('1058150104', 'Aspire', 'Ascot', 'Brown Grey Avola', 'Door', '3 Hinge Holes - Right', 285, 296, 23.47),
  ('1058150105', 'Aspire', 'Ascot', 'Brown Grey Avola', 'Drawer', 'No Hinge Holes', 140, 396, 15.95),
  ('1058150201', 'Aspire', 'Belgrave', 'White', 'Door', '3 Hinge Holes - Left', 285, 296, 21.80),
  ('1058150202', 'Aspire', 'Belgrave', 'White', 'Door', '3 Hinge Holes - Right', 285, 296, 21.80),
  ('1058150203', 'Aspire', 'Belgrave', 'Oak', 'Door', '3 Hinge Holes - Left', 570, 446, 38.25),
  ('1058150301', 'Bella', 'Chelsea', 'Oak', 'Door', '3 Hinge Holes - Left', 285, 296, 26.99),
  ('1058150302', 'Bella', 'Chelsea', 'Oak', 'Drawer', 'No Hinge Holes', 140, 596, 19.49);

CREATE TABLE door_orders (
  id         INTEGER PRIMARY KEY,
  product_id varchar(20) NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0),
  ordered_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
