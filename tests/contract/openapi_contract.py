"""Holds HTTP answers to docs/openapi.yaml: each status must be one the operation documents,
its required headers present, its content type one the response lists, and its body valid
against the response's schema (jsonschema's Draft 2020-12 validator, $refs resolved in the
spec). It also records which operations were called and which optional properties of the
response schemas were seen, so the test can show that it left none out."""

import json

import yaml
from jsonschema import Draft202012Validator, RefResolver

HTTP_METHODS = ("get", "head", "post", "put", "delete", "patch", "options", "trace")


class ContractError(AssertionError):
    pass


def escape_pointer(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def media_base(content_type):
    return content_type.split(";", 1)[0].strip().lower()


def declares_object(schema):
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "object" in kinds and isinstance(schema.get("properties"), dict)


class Contract:
    def __init__(self, spec_path):
        with open(spec_path, "rb") as spec_file:
            self.raw = spec_file.read()
        self.spec = yaml.safe_load(self.raw)
        self.resolver = RefResolver.from_schema(self.spec)
        self.called = set()  # (METHOD, path)
        self.optional = self._optional_properties()  # {(schema pointer, property)}
        self.seen = set()
        self.samples = []  # (operation, status, schema, instance): for the drift self-check

    # --- the spec -------------------------------------------------------------------------
    def resolve(self, node, pointer):
        """Follows a $ref (a JSON pointer into the spec); returns the node and its pointer."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ContractError(f"{pointer}: only local $refs are expected, got {ref}")
            pointer = ref[1:]
            _, node = self.resolver.resolve(ref)
        return node, pointer

    def operations(self):
        for path, item in self.spec["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    yield method.upper(), path

    def response(self, method, path, status):
        item = self.spec["paths"].get(path)
        if item is None or method.lower() not in item:
            raise ContractError(f"{method} {path} is not an operation of the spec")
        responses = item[method.lower()]["responses"]
        if str(status) not in responses:
            raise ContractError(
                f"{method} {path} answered {status}, which the spec does not document "
                f"(documented: {', '.join(sorted(responses))})")
        base = f"/paths/{escape_pointer(path)}/{method.lower()}/responses/{status}"
        return self.resolve(responses[str(status)], base)

    def validator(self, schema):
        return Draft202012Validator(schema, resolver=self.resolver)

    # --- checking an answer ---------------------------------------------------------------
    def check(self, method, path, status, headers, body, path_for_405=None):
        """Checks one answer; returns the parsed body (JSON, text, or None for no body).
        A 405 is for a method the path lacks: it is held to the 405 response of
        `path_for_405`'s method (the path's GET or POST operation), as OpenAPI has no place
        for the methods a path does not take."""
        operation = (path_for_405 or method, path)
        response, pointer = self.response(*operation, status)
        if path_for_405 is None:
            self.called.add((method, path))
        where = f"{method} {path} -> {status}"
        for name, header in response.get("headers", {}).items():
            header, _ = self.resolve(header, pointer)
            if header.get("required") and headers.get(name) is None:
                raise ContractError(f"{where}: the required header {name} is missing")
        content = response.get("content")
        if method == "HEAD":
            if body:
                raise ContractError(f"{where}: a HEAD answer has a body: {body[:200]!r}")
            return None
        if not content:
            if body:
                raise ContractError(f"{where}: the spec documents no body, got {body[:200]!r}")
            return None
        content_type = headers.get("Content-Type") or ""
        media = self._media(content, content_type)
        if media is None:
            raise ContractError(
                f"{where}: Content-Type {content_type!r} is none of {sorted(content)}")
        schema_node = content[media].get("schema")
        schema_pointer = f"{pointer}/content/{escape_pointer(media)}/schema"
        if media_base(media) == "application/json":
            try:
                instance = json.loads(body)
            except ValueError as error:
                raise ContractError(f"{where}: not JSON ({error}): {body[:200]!r}") from None
        else:
            instance = body.decode("utf-8")
        if schema_node is None:
            return instance
        self.validate(where, schema_node, instance)
        schema, schema_pointer = self.resolve(schema_node, schema_pointer)
        self._collect(schema, instance, schema_pointer)
        self.samples.append((operation, status, schema_node, instance))
        return instance

    def validate(self, where, schema, instance):
        errors = sorted(self.validator(schema).iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            lines = [f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
                     for e in errors[:10]]
            raise ContractError(f"{where}: the body does not fit the spec:\n" + "\n".join(lines) +
                                f"\nbody: {json.dumps(instance)[:2000]}")

    def is_valid(self, schema, instance):
        return self.validator(schema).is_valid(instance)

    @staticmethod
    def _media(content, content_type):
        if content_type in content:
            return content_type
        for media in content:
            if ";" not in media and media_base(media) == media_base(content_type):
                return media
        return None

    # --- optional properties --------------------------------------------------------------
    def _optional_properties(self):
        """Every optional property of an object schema that a response can reach."""
        found = set()
        visited = set()

        def walk(node, pointer):
            node, pointer = self.resolve(node, pointer)
            if not isinstance(node, dict) or pointer in visited:
                return
            visited.add(pointer)
            if declares_object(node):
                required = set(node.get("required", []))
                for name, sub in node["properties"].items():
                    if name not in required and sub is not False:
                        found.add((pointer, name))
            for name, sub in node.get("properties", {}).items():
                walk(sub, f"{pointer}/properties/{escape_pointer(name)}")
            for keyword in ("allOf", "oneOf", "anyOf"):
                for index, sub in enumerate(node.get(keyword, [])):
                    walk(sub, f"{pointer}/{keyword}/{index}")
            for keyword in ("items", "additionalProperties"):
                if isinstance(node.get(keyword), dict):
                    walk(node[keyword], f"{pointer}/{keyword}")

        for method, path in self.operations():
            responses = self.spec["paths"][path][method.lower()]["responses"]
            for status, response in responses.items():
                base = f"/paths/{escape_pointer(path)}/{method.lower()}/responses/{status}"
                response, pointer = self.resolve(response, base)
                for media, entry in response.get("content", {}).items():
                    if "schema" in entry:
                        walk(entry["schema"], f"{pointer}/content/{escape_pointer(media)}/schema")
        return found

    def _collect(self, schema, instance, pointer):
        """Marks the optional properties `instance` holds, walking the schema as the
        validator did (a oneOf or anyOf branch only when the instance fits it)."""
        schema, pointer = self.resolve(schema, pointer)
        if not isinstance(schema, dict):
            return
        for keyword in ("allOf", "oneOf", "anyOf"):
            for index, sub in enumerate(schema.get(keyword, [])):
                if keyword == "allOf" or self.is_valid(sub, instance):
                    self._collect(sub, instance, f"{pointer}/{keyword}/{index}")
        if isinstance(instance, dict):
            properties = schema.get("properties", {})
            if declares_object(schema):
                for name in properties:
                    if name in instance and (pointer, name) in self.optional:
                        self.seen.add((pointer, name))
            for name, value in instance.items():
                if name in properties:
                    self._collect(properties[name], value,
                                  f"{pointer}/properties/{escape_pointer(name)}")
                elif isinstance(schema.get("additionalProperties"), dict):
                    self._collect(schema["additionalProperties"], value,
                                  f"{pointer}/additionalProperties")
        if isinstance(instance, list) and isinstance(schema.get("items"), dict):
            for item in instance:
                self._collect(schema["items"], item, f"{pointer}/items")

    # --- what the run left out ------------------------------------------------------------
    def operations_not_called(self):
        return sorted(set(self.operations()) - self.called)

    def optional_not_seen(self):
        return sorted(self.optional - self.seen)
