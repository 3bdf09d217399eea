"""Install tests: what a new user or Binder gets from a fresh environment."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "install: builds a fresh venv (minutes); runs with DLVIZ_TEST_INSTALL=1 "
        "(make test-install)")
