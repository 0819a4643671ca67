"""The Logstash plugins a generated pipeline may use, and every option each accepts, in the pinned Logstash 8.19.

Logstash 8.19 bundles logstash-input-gelf 3.3.2, logstash-filter-json 3.2.1, logstash-filter-mutate 3.5.8,
logstash-filter-drop 3.0.5 and logstash-output-elasticsearch 12.0 (the same versions as Logstash's
Gemfile.jruby-3.1.lock.release from 8.15 through 9.1, except the output: 11.x in 8.15, 12.0.6 in 9.1; every option
used here exists in both). The option names are the plugins' `config :name` declarations at those tags, the
output's shared API options (PluginMixins::ElasticSearch::APIConfigs, without the ones 12.x made obsolete) and its
data stream options (DataStreamSupport), plus what every plugin inherits from logstash-core's Inputs::Base,
Filters::Base and Outputs::Base. Options that take a value of a particular kind list it in OPTION_KINDS.
"""

from __future__ import annotations

LOGSTASH_VERSION = "8.19.7"

COMMON = {
    "input": {"add_field", "codec", "enable_metric", "id", "tags", "type"},
    "filter": {"add_field", "add_tag", "enable_metric", "id", "periodic_flush", "remove_field", "remove_tag"},
    "output": {"codec", "enable_metric", "id"},
}

_ES_API = {
    "user", "password", "api_key", "cloud_auth", "document_id", "path", "bulk_path", "parameters", "ssl_enabled",
    "ssl_verification_mode", "ssl_certificate_authorities", "ca_trusted_fingerprint", "ssl_truststore_path",
    "ssl_truststore_type", "ssl_truststore_password", "ssl_keystore_path", "ssl_keystore_type",
    "ssl_keystore_password", "ssl_supported_protocols", "ssl_certificate", "ssl_key", "ssl_cipher_suites",
    "sniffing", "sniffing_delay", "sniffing_path", "proxy", "timeout", "failure_type_logging_whitelist",
    "silence_errors_in_log", "pool_max", "pool_max_per_route", "healthcheck_path", "resurrect_delay",
    "validate_after_inactivity", "http_compression", "compression_level", "custom_headers", "hosts", "cloud_id",
    "retry_initial_interval", "retry_max_interval", "dlq_custom_codes", "dlq_on_failed_indexname_interpolation",
}
_ES_DATA_STREAM = {"data_stream", "data_stream_type", "data_stream_dataset", "data_stream_namespace",
                   "data_stream_sync_fields", "data_stream_auto_routing"}
_ES_OWN = {
    "action", "index", "document_type", "manage_template", "template_name", "template", "template_overwrite",
    "template_api", "version", "version_type", "routing", "parent", "join_field", "upsert", "doc_as_upsert",
    "script", "script_type", "script_lang", "script_var_name", "scripted_upsert", "retry_on_conflict", "pipeline",
    "ilm_enabled", "ilm_rollover_alias", "ilm_pattern", "ilm_policy", "ecs_compatibility",
}

PLUGINS: dict[tuple[str, str], set[str]] = {
    ("input", "gelf"): {"host", "port", "port_tcp", "port_udp", "remap", "strip_leading_underscore", "use_tcp",
                        "use_udp"},
    ("filter", "json"): {"source", "target", "tag_on_failure", "skip_on_invalid_json", "ecs_compatibility"},
    ("filter", "mutate"): {"coerce", "rename", "replace", "update", "convert", "gsub", "uppercase", "lowercase",
                           "capitalize", "split", "join", "strip", "merge", "copy", "tag_on_failure"},
    ("filter", "drop"): {"percentage"},
    ("output", "elasticsearch"): _ES_API | _ES_DATA_STREAM | _ES_OWN,
}

# In data stream mode the output refuses anything but these (DataStreamSupport#invalid_data_stream_params).
DATA_STREAM_MODE_OPTIONS = _ES_API | _ES_DATA_STREAM | COMMON["output"] | {"action", "manage_template"}

# The kind of value each option used by a generated pipeline takes (Logstash's :validate).
OPTION_KINDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "port": int, "use_udp": bool, "use_tcp": bool, "source": str, "rename": list, "remove_field": list,
    "add_field": list, "hosts": list, "user": str, "password": str, "data_stream": str,
    "ssl_certificate_authorities": list,
}
