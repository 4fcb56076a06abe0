"""The features, each a package; `build` lists them in the one order they run."""
