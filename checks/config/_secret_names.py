"""The environment variable FS0301's fix moves a secret to, named after its target
(kept apart so the rule's module stays readable)."""

from __future__ import annotations

from factorscan.python.codemods import env_variable_name
from factorscan.python.secrets import name_words
from factorscan.python.services import CLIENTS, SERVICES, django_variable, env_name
from factorscan.python.targets import ATTRIBUTE, KEYWORD, Binding
from factorscan.python.traversal import FileContext


def _package_prefix(qualified: str | None, context: FileContext) -> str:
    """`OPENAI` for `openai.OpenAI`; empty for builtins and local names."""
    if not qualified or qualified.startswith(("builtins.", ".")):
        return ""
    package = qualified.split(".", 1)[0]
    if package not in {target.split(".", 1)[0] for target in context.imports.bindings.values()}:
        return ""
    return env_name(package)


def secret_variable(context: FileContext, target: Binding, value: str, fallback: str) -> str:
    """The environment variable a secret moves to, named after its target."""
    name = target.name or ""
    # One secret reads one variable wherever it appears; a key such as "2fa secret" is
    # qualified by its dict's name (CONFIG_2FA_SECRET).
    qualifier = env_name(target.path[-2]) if len(target.path) > 1 else ""
    django = django_variable(target.path)
    if django is not None:
        return env_variable_name(context, django, value, setting=True, distinctive=True, qualifier=qualifier)
    if target.setting and not target.in_sequence:
        variable = env_name(name)
        if target.kind == ATTRIBUTE and target.owner:
            prefix = _package_prefix(context.imports.bindings.get(target.owner.split(".")[0]), context)
            if prefix and not variable.startswith(prefix):
                variable = f"{prefix}_{variable}"
        return env_variable_name(
            context, variable, value, setting=True, distinctive=True, qualifier=qualifier
        )
    if target.kind == KEYWORD and target.call is not None and name:
        qualified = context.qualified_name(target.call.func)
        spec = CLIENTS.get(qualified or "")
        variable = env_name(name)
        if spec is not None:
            prefix = SERVICES[spec.service].prefix
            if name_words(name)[-1] in ("password", "passwd", "pwd"):
                variable = f"{prefix}_PASSWORD"
            elif not variable.startswith(f"{prefix}_"):
                variable = f"{prefix}_{variable}"
        elif not variable.startswith("AWS_"):
            prefix = _package_prefix(qualified, context)
            if prefix and not variable.startswith(prefix):
                variable = f"{prefix}_{variable}"
        return env_variable_name(context, variable, value, distinctive=True, qualifier=qualifier)
    return env_variable_name(
        context, env_name(name) or fallback, value, distinctive=True, qualifier=qualifier
    )
