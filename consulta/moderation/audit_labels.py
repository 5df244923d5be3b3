"""The audit log in Portuguese: one label per action code recorded anywhere (consulta.models.record), field
names for the details, and values without raw `None`.

tests/test_moderation_dismiss.py walks the source for record(..., "code", ...) calls and checks each code has a
label here; an unknown code still shows as a readable fallback.
"""

from typing import Any

from consulta.models import AuditLog, Role, WorkshopStatus

ACTION_LABELS = {
    # contributions
    "contribution.hide": "Ocultou a contribuição",
    "contribution.restore": "Restaurou a contribuição",
    "contribution.auto_hide": "Ocultação automática após denúncias",
    "contribution.dismiss_reports": "Descartou as denúncias (conteúdo mantido)",
    "contribution.respond": "Respondeu à contribuição",
    # accounts
    "user.block": "Bloqueou a conta",
    "user.unblock": "Desbloqueou a conta",
    "user.change_role": "Alterou o papel da conta",
    "user.delete_account": "Excluiu a própria conta",
    "user.verify_email": "Confirmou o e-mail",
    "user.change_email": "Alterou o e-mail",
    "user.change_password": "Alterou a senha",
    "user.reset_password": "Redefiniu a senha",
    "user.link_govbr": "Vinculou a conta gov.br",
    "user.register_govbr": "Criou a conta pelo gov.br",
    "user.consent": "Aceitou os termos de uso",
    # consultations
    "consultation.create": "Criou a consulta",
    "consultation.import_text": "Importou o texto da consulta",
    "consultation.open": "Abriu a consulta",
    "consultation.close": "Encerrou a consulta",
    "consultation.reopen": "Reabriu a consulta",
    "consultation.update": "Alterou os dados da consulta",
    "consultation.extend": "Prorrogou a consulta",
    "consultation.attachment_add": "Adicionou um anexo à consulta",
    "consultation.attachment_remove": "Removeu um anexo da consulta",
    # analysis
    "analysis.create": "Iniciou uma análise",
    "analysis.retry": "Repetiu uma análise",
    "analysis.edit": "Ajustou os grupos de uma análise",
    # text versions
    "version.create": "Criou uma versão do texto",
    "version.edit_article": "Editou um dispositivo da versão",
    "version.remove_article": "Removeu um dispositivo da versão",
    "version.import": "Importou uma versão do texto",
    "version.publish": "Publicou uma versão do texto",
    # workshops
    "workshop.create": "Cadastrou uma oficina",
    "workshop.status": "Mudou a situação da oficina",
    "workshop.reopen_report": "Reabriu o relato da oficina",
    "workshop.edit_after_report": "Alterou a oficina depois do relato",
    "workshop.import_inputs": "Importou contribuições da oficina",
}

OBJECT_LABELS = {
    "Contribution": "Contribuição",
    "User": "Conta",
    "Consultation": "Consulta",
    "Workshop": "Oficina",
    "AnalysisRun": "Análise",
    "TextVersion": "Versão do texto",
    "Version": "Versão do texto",
    "Attachment": "Anexo",
}

FIELD_LABELS = {
    "reports": "denúncias",
    "report_weight": "peso das denúncias",
    "previous": "antes",
    "new": "depois",
    "from": "de",
    "to": "para",
    "changes": "alterações",
    "level": "nível gov.br",
    "title": "título",
    "size": "tamanho (bytes)",
    "url": "endereço",
    "closes_at": "encerramento",
    "consultation": "consulta",
    "consultation_id": "consulta nº",
    "scope": "escopo",
    "k": "número de grupos",
    "seed": "semente",
    "op": "operação",
    "contribution": "contribuição nº",
    "cluster": "grupo",
    "label": "dispositivo",
    "name": "nome",
    "number": "número",
    "change": "mudança",
    "cited": "contribuições citadas",
    "articles": "dispositivos",
    "sections": "seções",
    "warnings": "avisos",
    "fates": "destinos",
    "uf": "UF",
    "municipality_code": "código do município",
    "municipality": "município",
    "created": "criadas",
    "duplicates": "repetidas",
    "attendance": "presença",
    "attendees": "participantes listados",
    "input_added": "contribuição adicionada nº",
    "inputs_imported": "contribuições importadas",
    "starts_at": "data",
    "format": "formato",
    "venue": "local",
    "audience": "público",
    "summary": "resumo",
    "opens_at": "abertura",
    "timezone": "fuso horário",
    "organ": "órgão",
    "contact_email": "e-mail de contato",
    "status": "situação",
    "cluster_id": "grupo",
}

EMPTY = "—"


def action_label(code: str) -> str:
    """The Portuguese label of an action code; an unknown code reads as its words, not as a crash."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    return "Ação: " + code.replace(".", " › ").replace("_", " ")


def object_label(object_type: str | None) -> str:
    return OBJECT_LABELS.get(object_type or "", object_type or "")


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " "))


def value_text(value: Any) -> str:
    """A detail value for people: no `None`, yes/no in Portuguese, lists and pairs readable."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return "sim"
    if value is False:
        return "não"
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
        return f"{count} denúncia" if count == 1 else f"{count} denúncias"
    if entry.action == "user.change_role" and {"previous", "new"} <= details.keys():
        names = {role.value: role.label for role in Role}
        return f"De {names.get(details['previous'], details['previous'])} para {names.get(details['new'], details['new'])}"
    if entry.action == "consultation.import_text":
        return (f"{details.get('sections', 0)} seções, {details.get('articles', 0)} dispositivos, "
                f"{details.get('warnings', 0)} avisos")
    if entry.action == "workshop.status" and {"from", "to"} <= details.keys():
        return f"De {_workshop_status(details['from'])} para {_workshop_status(details['to'])}"
    return "; ".join(f"{field_label(key)}: {value_text(value)}" for key, value in details.items()
                     if value is not None)


def _workshop_status(value: Any) -> str:
    try:
        return WorkshopStatus(value).label
    except ValueError:
        return value_text(value)
