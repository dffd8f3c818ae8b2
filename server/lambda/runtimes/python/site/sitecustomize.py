"""Points old AWS SDKs at cloudless: put on the PYTHONPATH of functions (and of
init hooks in the container image).

botocore learned AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) in 1.31, aws-cli
v2 in 2.13; Debian 12's boto3 1.26 (botocore 1.29) and aws-cli 2.9 ignore them, so a
handler's boto3.client("s3") without endpoint_url would call real AWS. For those
versions only, Session.create_client gets the endpoint from these variables when
the caller gave none. Nothing is imported up front: a meta-path finder waits for
botocore.session (aws-cli's own copy included) to be imported and patches it then
when it does not read the variables itself, so a function that never uses boto3
pays nothing.
"""
import os
import sys

# Where botocore lives: on its own, or inside Debian's aws-cli v2.
_SESSION_MODULES = ("botocore.session", "awscli.botocore.session")


def _reads_endpoint_variables(session_module):
    """Whether this botocore knows AWS_ENDPOINT_URL: its session variables
    have ignore_configured_endpoint_urls (botocore 1.31, aws-cli 2.13)."""
    package = session_module.__name__.rpartition(".")[0]
    provider = sys.modules.get(package + ".configprovider")
    variables = getattr(provider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    return "ignore_configured_endpoint_urls" in variables


def _endpoint_for(service_name):
    specific = "AWS_ENDPOINT_URL_" + str(service_name).upper().replace("-", "_").replace(" ", "_")
    return os.environ.get(specific) or os.environ.get("AWS_ENDPOINT_URL")


def _patch(session_module):
    original = session_module.Session.create_client
    # endpoint_url's position among the arguments after self and service_name
    # (aws-cli's botocore has no api_version before it).
    position = original.__code__.co_varnames.index("endpoint_url") - 2

    def create_client(self, service_name, *args, **kwargs):
        if len(args) <= position and kwargs.get("endpoint_url") is None:
            endpoint = _endpoint_for(service_name)
            if endpoint:
                kwargs["endpoint_url"] = endpoint
        return original(self, service_name, *args, **kwargs)

    create_client.__doc__ = original.__doc__
    session_module.Session.create_client = create_client


class _EndpointFinder:
    """Finds the session modules as usual and patches them once executed."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in _SESSION_MODULES:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            if not _reads_endpoint_variables(module):
                _patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


if os.environ.get("AWS_ENDPOINT_URL"):
    sys.meta_path.insert(0, _EndpointFinder)
