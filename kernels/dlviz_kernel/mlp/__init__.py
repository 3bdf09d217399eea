"""The MLP playground: a small dense network on points in the plane, trained live."""
