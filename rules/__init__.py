"""The bundled rulebook: YAML data, installed as the package imr_rules.rules."""
