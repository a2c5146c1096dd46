"""`orderctl completion bash|zsh`: a completion script written from the parser itself, so it
knows every command, action and flag without being kept in step by hand.

    eval "$(orderctl completion bash)"     # ~/.bashrc
    eval "$(orderctl completion zsh)"      # ~/.zshrc (through bashcompinit)
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")


def words(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """For each command path ('' for the top, 'orders', 'orders list'): what may follow it."""
    found: dict[str, list[str]] = {}

    def walk(current: argparse.ArgumentParser, path: str) -> None:
        options = [s for a in current._actions for s in a.option_strings if s.startswith("--")]
        children: dict[str, argparse.ArgumentParser] = {}
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                children.update(action.choices)
            elif action.choices and not action.option_strings:
                options.extend(str(c) for c in action.choices)
        found[path] = sorted(children) + sorted(set(options))
        for name, child in children.items():
            walk(child, f"{path} {name}".strip())

    walk(parser, "")
    return found


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    cases = "\n".join(
        f"        '{path}') candidates='{' '.join(options)}' ;;"
        for path, options in sorted(words(parser).items())
    )
    bash = f"""_orderctl() {{
    local cur path word i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    path=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        [[ "$word" == -* ]] && continue
        if _orderctl_known "${{path:+$path }}$word"; then path="${{path:+$path }}$word"; fi
    done
    local candidates=""
    case "$path" in
{cases}
    esac
    COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}}
_orderctl_known() {{
    case "$1" in
{chr(10).join(f"        '{path}') return 0 ;;" for path in sorted(words(parser)) if path)}
    esac
    return 1
}}
complete -F _orderctl orderctl
"""
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + bash
    return bash
