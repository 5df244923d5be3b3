"""The audit log in Portuguese: one label per action code recorded anywhere (consulta.models.record), field
names for the details, and values without raw `None`.

tests/test_moderation_dismiss.py walks the source for record(..., "code", ...) calls and checks each code has a
label here; an unknown code still shows as a readable fallback.
"""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from consulta.models import AuditLog, Role, WorkshopStatus

ACTION_LABELS = {
    # contributions
    "contribution.hide": _l("Ocultou a contribuição"),
    "contribution.restore": _l("Restaurou a contribuição"),
    "contribution.auto_hide": _l("Ocultação automática após denúncias"),
    "contribution.dismiss_reports": _l("Descartou as denúncias (conteúdo mantido)"),
    "contribution.respond": _l("Respondeu à contribuição"),
    # accounts
    "user.block": _l("Bloqueou a conta"),
    "user.unblock": _l("Desbloqueou a conta"),
    "user.change_role": _l("Alterou o papel da conta"),
    "user.delete_account": _l("Excluiu a própria conta"),
    "user.verify_email": _l("Confirmou o e-mail"),
    "user.change_email": _l("Alterou o e-mail"),
    "user.change_password": _l("Alterou a senha"),
    "user.reset_password": _l("Redefiniu a senha"),
    "user.link_govbr": _l("Vinculou a conta gov.br"),
    "user.register_govbr": _l("Criou a conta pelo gov.br"),
    "user.consent": _l("Aceitou os termos de uso"),
    # consultations
    "consultation.create": _l("Criou a consulta"),
    "consultation.import_text": _l("Importou o texto da consulta"),
    "consultation.open": _l("Abriu a consulta"),
    "consultation.close": _l("Encerrou a consulta"),
    "consultation.reopen": _l("Reabriu a consulta"),
    "consultation.update": _l("Alterou os dados da consulta"),
    "consultation.extend": _l("Prorrogou a consulta"),
    "consultation.attachment_add": _l("Adicionou um anexo à consulta"),
    "consultation.attachment_remove": _l("Removeu um anexo da consulta"),
    # analysis
    "analysis.create": _l("Iniciou uma análise"),
    "analysis.retry": _l("Repetiu uma análise"),
    "analysis.edit": _l("Ajustou os grupos de uma análise"),
    # text versions
    "version.create": _l("Criou uma versão do texto"),
    "version.edit_article": _l("Editou um dispositivo da versão"),
    "version.remove_article": _l("Removeu um dispositivo da versão"),
    "version.import": _l("Importou uma versão do texto"),
    "version.publish": _l("Publicou uma versão do texto"),
    # workshops
    "workshop.create": _l("Cadastrou uma oficina"),
    "workshop.status": _l("Mudou a situação da oficina"),
    "workshop.reopen_report": _l("Reabriu o relato da oficina"),
    "workshop.edit_after_report": _l("Alterou a oficina depois do relato"),
    "workshop.import_inputs": _l("Importou contribuições da oficina"),
}

OBJECT_LABELS = {
    "Contribution": _l("Contribuição"),
    "User": _l("Conta"),
    "Consultation": _l("Consulta"),
    "Workshop": _l("Oficina"),
    "AnalysisRun": _l("Análise"),
    "TextVersion": _l("Versão do texto"),
    "Version": _l("Versão do texto"),
    "Attachment": _l("Anexo"),
}

FIELD_LABELS = {
    "reports": _l("denúncias"),
    "report_weight": _l("peso das denúncias"),
    "previous": _l("antes"),
    "new": _l("depois"),
    "from": _l("de"),
    "to": _l("para"),
    "changes": _l("alterações"),
    "level": _l("nível gov.br"),
    "title": _l("título"),
    "size": _l("tamanho (bytes)"),
    "url": _l("endereço"),
    "closes_at": _l("encerramento"),
    "consultation": _l("consulta"),
    "consultation_id": _l("consulta nº"),
    "scope": _l("escopo"),
    "k": _l("número de grupos"),
    "seed": _l("semente"),
    "op": _l("operação"),
    "contribution": _l("contribuição nº"),
    "cluster": _l("grupo"),
    "label": _l("dispositivo"),
    "name": _l("nome"),
    "number": _l("número"),
    "change": _l("mudança"),
    "cited": _l("contribuições citadas"),
    "articles": _l("dispositivos"),
    "sections": _l("seções"),
    "warnings": _l("avisos"),
    "fates": _l("destinos"),
    "uf": _l("UF"),
    "municipality_code": _l("código do município"),
    "municipality": _l("município"),
    "created": _l("criadas"),
    "duplicates": _l("repetidas"),
    "attendance": _l("presença"),
    "attendees": _l("participantes listados"),
    "input_added": _l("contribuição adicionada nº"),
    "inputs_imported": _l("contribuições importadas"),
    "starts_at": _l("data"),
    "format": _l("formato"),
    "venue": _l("local"),
    "audience": _l("público"),
    "summary": _l("resumo"),
    "opens_at": _l("abertura"),
    "timezone": _l("fuso horário"),
    "organ": _l("órgão"),
    "contact_email": _l("e-mail de contato"),
    "status": _l("situação"),
    "cluster_id": _l("grupo"),
}

EMPTY = "—"


def action_label(code: str) -> str:
    """The Portuguese label of an action code; an unknown code reads as its words, not as a crash."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    return _("Ação: %(code)s", code=code.replace(".", " › ").replace("_", " "))


def object_label(object_type: str | None) -> str:
    return str(OBJECT_LABELS.get(object_type or "", object_type or ""))


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key.replace("_", " ")))


def value_text(value: Any) -> str:
    """A detail value for people: no `None`, yes/no in Portuguese, lists and pairs readable."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return _("sim")
    if value is False:
        return _("não")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, list):
        if len(value) == 2 and not any(isinstance(v, list | dict) for v in value):
            return f"{value_text(value[0])} → {value_text(value[1])}"
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"from", "to"}:
            return f"{value_text(value['from'])} → {value_text(value['to'])}"
        return ", ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


def describe_details(entry: AuditLog) -> str:
    """The entry's details in Portuguese, for the log's last column (empty when there is nothing to say)."""
    details = entry.details or {}
    if entry.action in ("contribution.auto_hide", "contribution.dismiss_reports") and "reports" in details:
        count = details["reports"]
        return ngettext("%(num)d denúncia", "%(num)d denúncias", count)
    if entry.action == "user.change_role" and {"previous", "new"} <= details.keys():
        names = {role.value: role.label for role in Role}
        return _("De %(previous)s para %(new)s", previous=names.get(details["previous"], details["previous"]),
                 new=names.get(details["new"], details["new"]))
    if entry.action == "consultation.import_text":
        return _("%(sections)s seções, %(articles)s dispositivos, %(warnings)s avisos",
                 sections=details.get("sections", 0), articles=details.get("articles", 0),
                 warnings=details.get("warnings", 0))
    if entry.action == "workshop.status" and {"from", "to"} <= details.keys():
        return _("De %(previous)s para %(new)s", previous=_workshop_status(details["from"]),
                 new=_workshop_status(details["to"]))
    return "; ".join(f"{field_label(key)}: {value_text(value)}" for key, value in details.items()
                     if value is not None)


def _workshop_status(value: Any) -> str:
    try:
        return WorkshopStatus(value).label
    except ValueError:
        return value_text(value)
