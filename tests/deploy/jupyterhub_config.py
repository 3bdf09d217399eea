# JupyterHub configuration of the deploy tests (tests/deploy/hub.py sets the DLVIZ_HUB_* variables).
#
# A small course on one machine: two students, a shared test password, each student's single-user
# JupyterLab server started from this project's virtual environment, all behind the npm
# configurable-http-proxy. Everything binds 127.0.0.1; state lives in DLVIZ_HUB_DIR.
# Not for production: DummyAuthenticator and SimpleLocalProcessSpawner give no isolation.
import os

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)
env = os.environ
state = env["DLVIZ_HUB_DIR"]
venv_bin = env["DLVIZ_HUB_VENV_BIN"]

# Network: the proxy is the only public port; the hub and its proxy API stay private.
c.JupyterHub.bind_url = f"http://127.0.0.1:{env['DLVIZ_HUB_PROXY_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env['DLVIZ_HUB_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['DLVIZ_HUB_PROXY_API_PORT']}"
# the npm proxy streams server-sent events; the Python `configurable-http-proxy` buffers them
c.ConfigurableHTTPProxy.command = [env["DLVIZ_HUB_CHP"]]
c.ConfigurableHTTPProxy.auth_token = env["DLVIZ_HUB_PROXY_TOKEN"]
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")

# State: database, cookie secret and pid files of this hub only.
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
# stop the proxy and every single-user server when the hub stops
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Users: two students with a shared password (a course would use its own authenticator).
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = env["DLVIZ_HUB_PASSWORD"]
c.Authenticator.allowed_users = {"alice", "bob"}

# A service for the test driver: it starts servers and issues the students' API tokens.
c.JupyterHub.services = [{"name": "deploy-test", "api_token": env["DLVIZ_HUB_ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [{
    "name": "deploy-test",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
    "services": ["deploy-test"],
}]

# Single-user servers: JupyterLab from the project's venv, one home folder per student.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(state, "home", "{username}")
c.Spawner.cmd = [os.path.join(venv_bin, "jupyterhub-singleuser")]
# the tests run as root; a real deployment runs each student as a user of their own
c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.environment = {
    # the hub passes only a few variables on (Spawner.env_keep): name what the server needs
    "PATH": venv_bin + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    # two kernels share this machine's cores: one torch thread each avoids oversubscription
    "OMP_NUM_THREADS": env.get("DLVIZ_HUB_OMP_THREADS", "1"),
    # marks every process of this hub, so the test can prove none outlives it
    "DLVIZ_HUB_MARK": env["DLVIZ_HUB_MARK"],
}
# a loaded 2-core machine starts a server in ~10 s; leave room
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# on stop, give the server time to shut its kernels down before the hub kills it (default 5 s)
c.Spawner.term_timeout = 20
