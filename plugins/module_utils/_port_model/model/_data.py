# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The facts of the port model, as data. PRIVATE to the lync.reverse_proxy collection.

Everything here traces to Microsoft's "Port summary - Reverse proxy in Lync Server 2013"
(TechNet JJ204932, Korean edition, last modified 2015-03-09): its prose, its table for the
external interface and its table for the internal interface. The sentences are this
collection's own; the facts are the source's.
"""

from __future__ import annotations

__all__ = [
    "FACTS",
    "INTERFACES",
    "LANGUAGES",
    "ROLE_ORDER",
    "ROLE_LABELS",
    "ADDED_RULE_DEFS",
    "RULE_DEFS",
    "TABLE_TEXT",
]

LANGUAGES = ("en", "ko")
INTERFACES = ("external", "internal")

# Rule definitions, in the order the source's two tables list their rows.
RULE_DEFS = (
    {
        "id": "external-http",
        "interface": "external",
        "application": "http",
        "port": 80,
        "source_ref": "external interface table, row HTTP/TCP/80",
    },
    {
        "id": "external-https",
        "interface": "external",
        "application": "https",
        "port": 443,
        "source_ref": "external interface table, row HTTPS/TCP/443",
    },
    {
        "id": "internal-http-pools",
        "interface": "internal",
        "application": "http",
        "port": 8080,
        "source_ref": "internal interface table, row HTTP/TCP/8080; prose on port 8080",
        "translated_from": {"interface": "external", "port": 80},
    },
    {
        "id": "internal-https-pools",
        "interface": "internal",
        "application": "https",
        "port": 4443,
        "source_ref": "internal interface table, row HTTPS/TCP/4443; prose on port 4443 and its warning",
        "translated_from": {"interface": "external", "port": 443},
    },
    {
        "id": "internal-https-office-web-apps",
        "interface": "internal",
        "application": "https",
        "port": 443,
        "source_ref": "internal interface table, row HTTPS/TCP/443; prose on Office Web Apps",
    },
)

# Rules this collection adds beyond the source document, present only when the topology calls for
# them; ``ip_protocol`` marks a rule of a protocol without ports (``port`` is None).
ADDED_RULE_DEFS = (
    {
        "id": "external-vrrp",
        "interface": "external",
        "protocol": "vrrp",
        "ip_protocol": 112,
        "application": "vrrp",
        "port": None,
        "addition": True,
        "source_ref": "addition beyond the source document: VRRP between the reverse proxies of a "
                      "reverse_proxy_groups entry (keepalived), not in the source's tables",
    },
)

# Roles a rule's sources and destinations can have, in the order the source names them.
ROLE_ORDER = (
    "any",
    "external_sources",
    "reverse_proxy_listener",
    "reverse_proxy_internal_interface",
    "front_end_server",
    "front_end_pool",
    "director",
    "director_pool",
    "office_web_apps",
)

ROLE_LABELS = {
    "en": {
        "any": "Any",
        "external_sources": "External sources",
        "reverse_proxy_listener": "Reverse proxy listener",
        "reverse_proxy_internal_interface": "Internal reverse proxy interface",
        "front_end_server": "Front End Server",
        "front_end_pool": "Front End pool",
        "director": "Director",
        "director_pool": "Director pool",
        "office_web_apps": "Office Web Apps for conferencing",
    },
    "ko": {
        "any": "모두",
        "external_sources": "허용된 외부 원본",
        "reverse_proxy_listener": "역방향 프록시 수신기",
        "reverse_proxy_internal_interface": "내부 역방향 프록시 인터페이스",
        "front_end_server": "프런트 엔드 서버",
        "front_end_pool": "프런트 엔드 풀",
        "director": "디렉터",
        "director_pool": "디렉터 풀",
        "office_web_apps": "회의용 Office Web Apps",
    },
}

# The facts a rule can state, in each language. A rule lists the keys that apply to it
# (``facts``); its ``reason`` is the English sentences joined, and port_table renders the
# same keys in the language asked for.
FACTS = {
    "en": {
        "http_redirect": (
            "Answers a plain-HTTP request for a published name (http://<published FQDN>) "
            "with a redirect to the same name over HTTPS."
        ),
        "mobile_autodiscover_http": (
            "Needed when Lync mobile devices use the Autodiscover service and the certificate of "
            "the external web services publishing rule is not to be changed to carry the "
            "lyncdiscover names."
        ),
        "mobile_autodiscover_http_table": (
            "Also required when Office Web Apps for conferencing is in use and Lync mobile devices "
            "use the Autodiscover service, where the certificate of the external web services "
            "publishing rule is not to be changed."
        ),
        "port_8080_optional": (
            "Not required while the certificate carries the lyncdiscover names (mobile "
            "Autodiscover over HTTPS); this deployment's firewall rules leave it closed."
        ),
        "web_services_over_tls": (
            "Carries every published web service over SSL/TLS: address book download, Address "
            "Book Web Query service, Autodiscover, client updates, meeting content, device "
            "updates, group expansion, Office Web Apps for conferencing, dial-in conferencing "
            "and meetings."
        ),
        "port_80_to_8080": (
            "Requests that reach the external interface on port 80 leave the internal interface "
            "for the pool on port 8080; the port lets the pool's web services tell them apart "
            "from internal web traffic."
        ),
        "port_443_to_4443": (
            "Requests that reach the external interface on port 443 are re-encrypted and leave "
            "the internal interface for the pool on port 4443; the port lets the pool's web "
            "services tell them apart from internal web traffic."
        ),
        "not_cms_replication": (
            "This is not the TCP 4443 traffic that a Standard Edition server or the Front End "
            "pool holding the Central Management Store sends for replication."
        ),
        "office_web_apps_https": (
            "Clients use Office Web Apps for conferencing over HTTPS; the proxy reaches the "
            "Office Web Apps servers on HTTPS/TCP/443, the port they accept internal clients on."
        ),
        "vrrp_between_proxies": (
            "The reverse proxies of a group share the listener's virtual "
            "addresses, and keepalived on each sends and receives VRRP advertisements (IP protocol "
            "112) on the external interface to decide which proxy holds them. Each proxy admits "
            "VRRP only from the other proxies of its group; the traffic stays on their segment "
            "and no gateway forwards it."
        ),
    },
    "ko": {
        "http_redirect": (
            "게시된 이름에 대한 일반 HTTP 요청(http://<게시된 FQDN>)에는 같은 이름의 "
            "HTTPS 주소로 리디렉션하여 응답합니다."
        ),
        "mobile_autodiscover_http": (
            "Lync를 실행하는 모바일 장치가 자동 검색 서비스를 사용하고, 외부 웹 서비스 게시 규칙의 "
            "인증서를 바꿔 lyncdiscover 이름을 넣지 않기로 한 경우에 필요합니다."
        ),
        "mobile_autodiscover_http_table": (
            "회의용 Office Web Apps를 사용하고 Lync를 실행하는 모바일 장치가 자동 검색 서비스를 "
            "사용하며, 외부 웹 서비스 게시 규칙의 인증서를 바꾸지 않으려는 경우에도 필요합니다."
        ),
        "port_8080_optional": (
            "인증서에 lyncdiscover 이름이 들어 있는 동안(HTTPS를 통한 모바일 자동 검색)에는 필수가 "
            "아닙니다. 이 배포의 방화벽 규칙은 이 포트를 열지 않습니다."
        ),
        "web_services_over_tls": (
            "게시된 모든 웹 서비스를 SSL/TLS로 전달합니다: 주소록 다운로드, 주소록 웹 쿼리 서비스, "
            "자동 검색, 클라이언트 업데이트, 모임 콘텐츠, 장치 업데이트, 그룹 확장, "
            "회의용 Office Web Apps, 전화 접속 회의 및 모임."
        ),
        "port_80_to_8080": (
            "외부 인터페이스의 포트 80에 도착한 요청은 내부 인터페이스에서 포트 8080으로 풀에 "
            "전달됩니다. 풀의 웹 서비스는 이 포트로 해당 요청을 내부 웹 트래픽과 구분합니다."
        ),
        "port_443_to_4443": (
            "외부 인터페이스의 포트 443에 도착한 요청은 다시 암호화되어 내부 인터페이스에서 "
            "포트 4443으로 풀에 전달됩니다. 풀의 웹 서비스는 이 포트로 해당 요청을 내부 웹 "
            "트래픽과 구분합니다."
        ),
        "not_cms_replication": (
            "Standard Edition 서버 또는 중앙 관리 저장소를 가진 프런트 엔드 풀이 복제를 위해 "
            "보내는 TCP 4443 트래픽과는 다른 흐름입니다."
        ),
        "office_web_apps_https": (
            "클라이언트는 HTTPS로 회의용 Office Web Apps를 사용합니다. 프록시는 Office Web Apps "
            "서버가 내부 클라이언트를 받는 HTTPS/TCP/443으로 서버에 연결합니다."
        ),
        "vrrp_between_proxies": (
            "한 그룹의 역방향 프록시는 수신기의 가상 주소를 공유하며, "
            "각 프록시의 keepalived가 외부 인터페이스에서 VRRP 알림(IP 프로토콜 112)을 주고받아 "
            "어느 프록시가 가상 주소를 가질지 정합니다. 각 프록시는 같은 그룹의 다른 프록시에서 "
            "오는 VRRP만 허용하며, 이 트래픽은 프록시들의 네트워크 구간 안에 머물고 어떤 "
            "게이트웨이도 전달하지 않습니다."
        ),
    },
}

# Headings and fixed words of the rendered tables.
TABLE_TEXT = {
    "en": {
        "title": "Port summary - Reverse proxy",
        "heading": {
            "external": "Firewall Details for Reverse Proxy Server: External Interface",
            "internal": "Firewall Details for Reverse Proxy Server: Internal Interface",
        },
        "interface": {"external": "external", "internal": "internal"},
        "columns": ("Protocol/TCP or UDP/Port", "Source IP Address", "Destination IP Address", "Notes"),
        "interface_column": "Interface",
        "optional": "(Optional)",
        "addition": "(Addition beyond the source)",
        "ip_protocol": "IP protocol {number}",
        "virtual": "virtual addresses of {members}",
        "no_rules": "No rules for this interface.",
        "certificate_names": "Names the listener certificate must carry",
        "warnings": "Warnings",
        "unknown_addresses": "addresses not given",
        # the limits that apply on the listener's ports (render_port_table's limits)
        "limits_source": "Per source (an IPv4 address or an IPv6 /64):",
        "limits_firewall": "the firewall drops a new connection over {connections} open or {rate} new a second{burst};",
        "limits_firewall_open": "the firewall drops a new connection over {connections} open;",
        "limits_firewall_rate": "the firewall drops a new connection over {rate} new a second{burst};",
        "limits_firewall_burst": " (bursts of {burst})",
        "limits_proxy": "{proxy} refuses one over {connections} open or {rate} new a second;",
        "limits_proxy_open": "{proxy} refuses one over {connections} open;",
        "limits_times": "the TLS handshake must finish within {handshake}, a request head arrive within {request_head}.",
        "limits_none": "no per-source limit;",
        "limits_nginx": "(nginx counts each IPv6 address apart);",
        "cms_warning": (
            "Do not confuse the reverse proxy's TCP 4443 traffic (internal interface to the pools) with "
            "the TCP 4443 traffic a Standard Edition server or the Front End pool holding the Central "
            "Management Store sends for replication: that is another flow and needs rules of its own."
        ),
    },
    "ko": {
        "title": "포트 요약 - 역방향 프록시",
        "heading": {
            "external": "역방향 프록시 서버에 대한 방화벽 세부 정보: 외부 인터페이스",
            "internal": "역방향 프록시 서버에 대한 방화벽 세부 정보: 내부 인터페이스",
        },
        "interface": {"external": "외부", "internal": "내부"},
        "columns": ("프로토콜/TCP 또는 UDP/포트", "원본 IP 주소", "대상 IP 주소", "참고"),
        "interface_column": "인터페이스",
        "optional": "(선택 사항)",
        "addition": "(원본 문서에 없는 추가 항목)",
        "ip_protocol": "IP 프로토콜 {number}",
        "virtual": "{members}의 가상 주소",
        "no_rules": "이 인터페이스에 해당하는 규칙이 없습니다.",
        "certificate_names": "수신기 인증서에 포함되어야 하는 이름",
        "warnings": "경고",
        "unknown_addresses": "주소가 지정되지 않음",
        "limits_source": "출발지(IPv4 주소 또는 IPv6 /64)별:",
        "limits_firewall": "방화벽은 동시 연결이 {connections}개를 넘거나 초당 새 연결이 {rate}개{burst}를 넘는 새 연결을 버립니다.",
        "limits_firewall_open": "방화벽은 동시 연결이 {connections}개를 넘는 새 연결을 버립니다.",
        "limits_firewall_rate": "방화벽은 초당 새 연결이 {rate}개{burst}를 넘는 새 연결을 버립니다.",
        "limits_firewall_burst": "(순간적으로는 {burst}개까지)",
        "limits_proxy": "{proxy}는 동시 연결이 {connections}개를 넘거나 초당 새 연결이 {rate}개를 넘는 연결을 거부합니다.",
        "limits_proxy_open": "{proxy}는 동시 연결이 {connections}개를 넘는 연결을 거부합니다.",
        "limits_times": "TLS 핸드셰이크는 {handshake} 안에 끝나야 하고 요청 헤더는 {request_head} 안에 도착해야 합니다.",
        "limits_none": "출발지별 제한이 없습니다.",
        "limits_nginx": "(nginx는 IPv6 주소를 하나씩 따로 셉니다.)",
        "cms_warning": (
            "역방향 프록시의 TCP 4443 트래픽(내부 인터페이스에서 풀로)을 Standard Edition 서버 또는 "
            "중앙 관리 저장소 역할을 가진 프런트 엔드 풀이 복제를 위해 보내는 TCP 4443 트래픽과 "
            "혼동하지 마십시오. 이는 다른 흐름이며 별도의 규칙이 필요합니다."
        ),
    },
}
