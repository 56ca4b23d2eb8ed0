"""Every KS code kspub can report, with what it means and what to do, in Chinese.

The one table of codes: ``docs/codes.md`` is generated from it (``python -m kspub.codes > docs/codes.md``), and a
test checks that every ``KSnnn`` written anywhere in the package is here and that the page is current. The
messages themselves stay next to the code that finds the problem; this table says, once per code, what the
problem is and how an editor gets past it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    meaning: str
    """What the problem is."""
    action: str
    """What to do about it."""


#: The areas of the hundreds digit, as CONTRIBUTING.md numbers them.
AREAS: Mapping[str, str] = {
    "0": "文件与命令行",
    "1": "头信息与通知规则",
    "2": "正文结构与属性行",
    "3": "编号",
    "4": "交叉引用与合并检查",
    "5": "标签、HTML 与链接",
    "6": "日历与期间",
    "7": "SLA 目录",
    "8": "版本历史与发布记录",
    "9": "生成网站与 JSON API",
}

CODES: Mapping[str, Code] = {
    # --- files and command-line operands
    "KS001": Code("给出的路径不是可以读取的普通文件（目录、设备、管道，或没有读取权限）", "给出协议文件或 SLA 目录文件的路径，并确认有读取权限"),
    "KS002": Code("文件无法读取或写入，或不是 UTF-8 编码", "检查路径和权限；用编辑器把文件另存为“UTF-8（无 BOM）”"),
    "KS003": Code("文件含有二进制内容，不是文本文件", "协议文件必须是 UTF-8 编码的 Markdown：确认没有误放 Word、PDF 等文件"),
    "KS004": Code("文件是空的", "写入头信息和正文，或删除该文件"),
    "KS005": Code("文件过大", "一个协议一个文件：检查是否误粘贴了其他内容"),
    "KS006": Code("文件以 BOM 开头（警告，已自动忽略）", "把文件另存为“UTF-8（无 BOM）”"),
    "KS007": Code("文件使用 Windows（CRLF）或 CR 换行（警告，已按 LF 处理）", "在编辑器中把换行符设为 LF"),
    "KS008": Code("符号链接指向不存在的文件，或形成循环", "删除该链接，或把真实文件放在这里"),
    "KS009": Code("agreements/ 下有不会发布的文件：子文件夹中的 Markdown、扩展名不是小写 .md 的文件（错误），或其他文件（警告）", "把协议放在 agreements/ 下并命名为小写的 协议ID.md；草稿和其他文件移出 agreements/"),
    "KS010": Code("协议源文件有错误，命令没有继续执行", "先运行 kspub lint，改正列出的全部错误"),
    "KS020": Code("没有这个 ID 的协议", "核对协议 ID（即 agreements/ 下的文件名，不含 .md）"),
    "KS021": Code("协议中没有这个 ID 的条款", "运行 kspub show 协议ID 查看全部条款 ID"),
    "KS030": Code("要比较的文本有错误，无法解析", "先对它运行 kspub lint 并改正"),
    "KS031": Code("找不到要比较的对象", "写文件路径、协议ID@版本号（如 cloud-service-agreement@1.0）或 提交:路径（如 main:agreements/x.md）"),
    "KS032": Code("kspub diff 的参数不对：要么给出 OLD 和 NEW，要么只给 --base", "按 kspub diff --help 的写法改正"),
    "KS033": Code("--today 的日期格式不对", "写成 YYYY-MM-DD"),
    # --- front matter and notice rules
    "KS101": Code("缺少 YAML 头信息：文件第一行不是 ---", "第一行单独写 ---（三个英文减号，不是全角“－－－”或破折号），随后写头信息，再单独写一行 --- 结束"),
    "KS102": Code("YAML 头信息没有结束", "在头信息最后一个字段之后单独写一行 ---"),
    "KS103": Code("YAML 头信息无法读取：写法有误，或用了不支持的写法（别名、过长的数字、过深的嵌套）", "看消息中指出的行和原因，最常见的是：全角冒号“：”、中文引号“”、Tab 缩进、值中含“冒号+空格”却没加引号、缩进没对齐、引号或括号没闭合"),
    "KS104": Code("头信息不是“字段: 值”的形式", "每行写一个字段，例如 id: cloud-service-agreement"),
    "KS105": Code("头信息中有未知的字段（常见原因：拼写错误，如 classification 应为 class）", "改正字段名；内部备注写在 internal 下"),
    "KS106": Code("头信息缺少必填字段（id、title、kind、version）", "补上该字段"),
    "KS107": Code("头信息字段的写法不对（类型、格式或长度）", "按 docs/source-format.md 第一节的格式改正消息中指出的字段"),
    "KS108": Code("日期不存在或格式不对", "写成 YYYY-MM-DD，例如 2026-03-01"),
    "KS109": Code("生效日期早于公告日期", "核对 announced 和 effective"),
    "KS110": Code("头信息中的协议 ID 与文件名不同", "把文件改名为 协议ID.md，或改正 id"),
    "KS111": Code("版本号没有加引号、用了中文引号，或含有不允许的字符", "写成 version: \"1.10\"（英文引号）；只用字母、数字、点、连字符和下划线"),
    "KS112": Code("头信息中同一个字段写了两次", "删除重复的一行（YAML 只会保留后一个）"),
    "KS113": Code("头信息中有看不见的特殊字符（控制字符、双向控制符等）", "删除该处文字后重新输入（多半是复制粘贴带来的）"),
    "KS120": Code("通知规则（notice）的写法不对", "按 docs/source-format.md 第四节改正"),
    "KS121": Code("通知规则的 clauses 引用了不存在的条款 ID", "改为本协议中存在的条款 ID"),
    "KS130": Code("通知规则的 clause 写的条款 ID 不存在", "改为规则所依据的条款的 ID"),
    "KS131": Code("通知规则的通知期与所依据条款中写的期限不一致", "让规则与条款一致，或改正 clause"),
    "KS132": Code("通知规则的通知期短于所引法律条文规定的期限", "协议不能降低法律规定的期限：延长通知期"),
    "KS133": Code("引用了本仓库未收录的法律条文", "核对法律名称和条号；新增条文见 docs/legal/statutes.md"),
    "KS134": Code("basis 按编号引用了本协议的条款（如“本协议第4.4条”）", "改为 clause: 条款ID，basis 只写法律条文"),
    "KS135": Code("通知期没有来源", "用 clause 写明约定该期限的条款，或在 basis 中引用法律条文"),
    "KS140": Code("头信息没有默认通知规则 notice.default", "写明协议约定的变更通知期和渠道，并用 clause 写明约定该期限的条款 ID"),
    "KS141": Code("同意安排（consent）的写法有误", "按 docs/source-format.md 第七节的格式改正"),
    # --- body structure and attribute lines
    "KS201": Code("条款（段落或标题）上方没有 {#条款ID} 属性行", "在这一段的上一行写 {#条款ID}；属性行与上一段之间要空一行"),
    "KS202": Code("条款 ID 格式不对", "只用小写英文字母、数字和连字符，以字母开头，描述条款内容（不要用编号）"),
    "KS203": Code("同一协议中两个条款用了同一个 ID", "为其中一条另起一个描述内容的 ID"),
    "KS204": Code("已在 retired 中登记退役的 ID 又被使用", "另起新 ID；恢复旧条款时先从 retired 中删除并说明原因"),
    "KS205": Code("属性行写在了标题末尾，或位置不对", "把 {#条款ID} 单独写在标题的上一行"),
    "KS206": Code("列表项没有自己的条款 ID；常见原因是属性行上方缺少空行，被并入了上一项", "每个列表项上方空一行，再写一行 {#条款ID}"),
    "KS207": Code("属性行中有未知的属性", "属性行只能写 #条款ID、tags=\"…\"、replaces=\"…\" 和 number=\"…\""),
    "KS208": Code("replaces 写法不对：取代了自己，或取代了仍在使用的 ID", "replaces 只写被合并、拆分或更名前的旧 ID"),
    "KS209": Code("一个条款有多行属性或多个 #ID", "把 ID、tags、replaces 合写在一行，例如 {#clause-id tags=\"fees\"}"),
    "KS210": Code("正文没有任何条款", "在头信息之后写入正文，每个条款前一行写 {#条款ID}"),
    "KS211": Code("正文中用了不支持的写法（引用块、代码块、表格、图片等）", "改为普通段落或列表项"),
    "KS212": Code("空的列表项", "写入条款文字或删除这一行"),
    "KS213": Code("列表项中有第二段文字", "每一段都是独立条款：移出列表并在上一行写 {#条款ID}"),
    "KS214": Code("章节标题过长", "缩短标题；大段文字写成标题下的条款"),
    # --- numbering
    "KS301": Code("编号不连续（警告）", "核对是否漏了条款或编号有误"),
    "KS302": Code("同一级两个条款印了同一个编号", "核对并改正编号：引用“第3.2条”时必须能确定所指"),
    # --- cross-references and the gate
    "KS401": Code("正文引用的本协议条款编号找不到", "改正引用或编号"),
    "KS410": Code("修改了已发布版本的正文却没有更换版本号", "把 version 改为新的版本号；只是不改变含义的错字更正时，在 corrections 中登记，并在 change_notes 中说明"),
    "KS411": Code("登记为勘误，但修改中含有实质性变更", "确实不改变含义（如错别字）时，在 change_notes 中为该条款写 clause、class: editorial、reason（必要时 approved_by）；否则发布新版本并按通知规则公告"),
    "KS412": Code("新版本缺少公告日期 announced", "写明公告日期，或运行 kspub release 补全"),
    "KS413": Code("新版本缺少生效日期 effective", "写明生效日期，或运行 kspub release 按通知规则算出"),
    "KS414": Code("生效日期早于按通知规则算出的最早合法生效日", "把 effective 改为消息中给出的日期或更晚（kspub notice 可查看计算过程）"),
    "KS415": Code("有实质性变更，但没有变更说明 summary", "在 summary 中用客户能看懂的话写明改了什么"),
    "KS416": Code("变更须重新取得用户同意（提示）", "按同意安排取得同意后再让新版本生效"),
    "KS418": Code("公告日期早于今天", "改为实际公告的日期：通知自实际公告之日起才生效"),
    "KS419": Code("计算用到尚未公布的次年放假安排，结果为暂定（警告）", "次年安排公布后重新运行检查"),
    "KS421": Code("删除了已发布的协议文件，却没有登记停止适用或改名", "停止适用：kspub release 协议ID --withdraw --reason 原因；改名：kspub release 新ID --renamed-from 旧ID"),
    "KS422": Code("新增协议（提示）：首次发布无需提前通知", "无需处理"),
    "KS423": Code("已登记勘误（警告）：编辑性更正，无需新版本号", "评审人核对更正确实不改变含义"),
    "KS424": Code("版本号变了，但正文没有变化（警告）", "确认是否真的要发布新版本"),
    "KS425": Code("生效日期符合通知规则（提示），消息中有计算过程", "无需处理"),
    "KS426": Code("公告时应使用的通知渠道（提示）", "按列出的渠道通知客户"),
    "KS427": Code("协议已登记停止适用或改名（提示）：其全部版本仍会发布", "无需处理"),
    "KS428": Code("公告日期在今天之后（提示）：该版本在公告日的生成中才出现在网站上", "无需处理"),
    "KS429": Code("新版本的生效日期早于已发布的较早版本的生效日期：按“最后一个已生效版本”的规则无法判断哪个版本有效",
                  "把 effective 改为不早于已发布版本的生效日期"),
    "KS431": Code("SLA 条目的承诺变化了，需按通知规则通知", "为该条目写 effective，并不早于最早合法生效日"),
    "KS432": Code("SLA 条目变更后缺少生效日期", "为该条目写 effective"),
    "KS433": Code("SLA 条目的生效日期早于最早合法生效日", "把 effective 改为消息中给出的日期或更晚"),
    "KS434": Code("删除了 SLA 条目（警告）：删除服务承诺属于实质性变更", "确认已按通知规则通知"),
    "KS440": Code("通知规则有变更（提示）", "核对报告中列出的变更"),
    "KS441": Code("降低了通知要求，但规则所依据的条款没有相应修改", "恢复规则，或在同一版本中修改该条款（按原规则通知）"),
    "KS442": Code("降低了依据法律条文的规则或期间计算方式", "恢复原规则"),
    "KS443": Code("现行规则与新规则给出的最早生效日不同（提示）", "以较晚者为准"),
    "KS444": Code("法律另有要求（警告），如电子商务法第三十四条", "公告时逐项落实"),
    "KS445": Code("通知规则随所依据的条款一同修改（提示）", "本次按原规则通知，新规则自新版本生效后适用"),
    "KS450": Code("降为编辑性的变更涉及数字、义务用语或重要主题，却没有写批准人", "在该条 change_notes 中写 approved_by，或删除这条说明、按实质性变更公告"),
    "KS451": Code("已批准降为编辑性的变更（警告）", "评审人核对该变更确实不影响权利义务"),
    "KS452": Code("个人信息变更没有（适用的）同意安排", "写 consent，见 docs/source-format.md 第七节"),
    "KS453": Code("报告写明的同意安排或委托处理提示", "核对"),
    "KS454": Code("删除了已发布的条款却没有登记 retired", "把 ID 加入 retired，或在新条款写 replaces"),
    "KS455": Code("已发布版本用过的条款 ID 用于另一段文字", "为新条款另起 ID"),
    "KS456": Code("版本号没有递增或无法比较", "按 docs/source-format.md 第三节的方案改用更大的版本号"),
    # --- tags, HTML and links
    "KS501": Code("正文中有 HTML 或脚本", "改为纯文字；强调用 **加粗**"),
    "KS502": Code("链接地址不安全或不完整", "只用 http(s)://、mailto: 或站内 #条款ID"),
    "KS503": Code("未知的主题标签", "使用 docs/source-format.md 第二节第7条列出的标签"),
    "KS504": Code("条款只有编号没有正文", "补上正文，或删除该条款并在 retired 中登记其 ID"),
    "KS505": Code("正文中有看不见的特殊字符", "删除该处文字后重新输入（多半是复制粘贴带来的）"),
    # --- calendar and periods
    "KS601": Code("日期所在年份的法定工作日安排还没有收录", "等国务院办公厅公布当年安排后，按 CONTRIBUTING.md 补上年份文件"),
    "KS602": Code("日历年份文件格式不对，或缺少法定节日或所依据的通知", "按国务院办公厅当年的通知补全 calendar/<年份>.yaml"),
    "KS603": Code("两个日历年份文件对同一年的安排不一致", "删除或改正其中一个"),
    "KS604": Code("指定的日历目录不存在", "检查路径"),
    "KS610": Code("kspub notice 的参数不对：--from 与 --to 必须且只能给一个", "按 kspub notice --help 改正"),
    "KS611": Code("无法识别的通知期写法", "写成 10日、10个自然日、10个工作日、1个月等"),
    "KS612": Code("通知期的数量不是正整数", "写一个正整数，例如 30日"),
    "KS613": Code("通知期的单位无法按民法典计算", "改用 日、工作日、个月、年 或 小时"),
    "KS614": Code("无法识别的通知时间", "写成 YYYY-MM-DD 或 YYYY-MM-DD HH:MM"),
    "KS615": Code("kspub notice：按小时计算的期间只给了日期", "同时给出时刻，例如 --from 2026-03-02T10:00+08:00（协议头信息的 announced 只写日期：按小时的规则自公告日 24时起算）"),
    "KS616": Code("日期超出可以计算的范围", "核对日期"),
    "KS617": Code("系统缺少时区数据，无法按北京时间计算", "安装 tzdata"),
    # --- SLA catalogue
    "KS700": Code("SLA 目录无法读取", "运行 kspub lint sla/ 查看并改正问题"),
    "KS701": Code("SLA 目录的 YAML 写法有误，或同一字段写了两次", "看消息中指出的行和原因（冒号、缩进、引号）"),
    "KS702": Code("SLA 目录的内容不符合格式（字段、类型、标题长度或字符）", "按消息改正该字段"),
    "KS703": Code("SLA 分类或条目的 ID 重复", "每个 ID 必须唯一"),
    "KS704": Code("SLA 目录中有看不见的特殊字符", "删除该处文字后重新输入"),
    # --- git history and the release record
    "KS800": Code("不是 git 仓库，无法读取版本历史", "在协议仓库的完整克隆中运行"),
    "KS801": Code("当前是浅克隆，版本历史不完整", "运行 git fetch --unshallow；CI 中 actions/checkout 设置 fetch-depth: 0"),
    "KS804": Code("不是提交或分支名", "写分支名、标签或提交号，例如 origin/main"),
    "KS805": Code("git 历史中没有该协议的已提交版本", "新协议需要先提交；查看未提交的修改请加 --draft"),
    "KS806": Code("历史版本无法解析", "该版本的文件在提交时就有错误：检查发布记录指向的文件"),
    "KS807": Code("协议没有这个版本号", "使用消息中列出的已有版本号"),
    "KS808": Code("无法读取指定提交中的文件", "检查分支名、提交号和文件路径"),
    "KS809": Code("无法读取 git 中的发布记录", "确认仓库完整（git fsck）"),
    "KS810": Code("发布记录无法读取或格式不对（多半是手工编辑过）", "把发布记录恢复为主分支上的内容，用 kspub release 登记"),
    "KS811": Code("发布记录中某个版本的文件在仓库中找不到", "使用完整克隆（git fetch --unshallow）；历史被改写时恢复原来的提交"),
    "KS812": Code("发布记录中的指纹与仓库中的文件不符", "发布记录或历史被改动过：恢复主分支上的发布记录"),
    "KS813": Code("改名声明的前身协议没有发布记录、形成循环，或同一版本号的文本不同", "--renamed-from 应为改名前的协议 ID"),
    "KS814": Code("已提交的文本还没有登记发布（警告），不会发布", "运行 kspub release 协议ID 并提交发布记录"),
    "KS815": Code("合并请求中的文本还没有登记发布", "运行 kspub release 协议ID 并提交发布记录"),
    "KS816": Code("头信息中的日期与发布记录不一致", "用 kspub release 修改日期（推迟生效），不要只改头信息"),
    "KS817": Code("合并请求修改或删除了发布记录中已有的条目", "恢复该条目；勘误、推迟、停止适用只能用 kspub release 追加"),
    "KS818": Code("发布记录中追加的事件与版本矛盾：把生效日期提前、推迟或撤回已生效的版本、勘误改变了条款含义",
                  "按提示改正后重新运行 kspub release；实质性修改请发布新版本"),
    "KS819": Code("一个合并请求为同一份协议登记了多个新版本，或登记的新版本没有对应的协议文件",
                  "每个合并请求每份协议只发布一个新版本（拆成多个合并请求）；发布的文本必须是提交的 agreements/<ID>.md"),
    "KS820": Code("有未提交的修改（警告）：网站只发布已提交的内容", "要发布请先提交；预览未提交的修改用 kspub serve"),
    "KS830": Code("kspub release 无法登记", "按消息改正后重新运行"),
    # --- the build, the site and the API
    "KS901": Code("环境变量 SOURCE_DATE_EPOCH 不是整数秒", "改正或删除该环境变量"),
    "KS910": Code("协议 ID、版本号或条款 ID 不能用作发布路径", "只用小写英文字母、数字和连字符"),
    "KS911": Code("两个发布路径只有大小写不同", "更换其中一个版本号或条款 ID"),
    "KS912": Code("已登记的版本历史无法按生效日期规则唯一判断现行版本（较新版本缺少生效日期或生效日期倒序）（警告）",
                  "历史照常发布；此后的新版本请写明生效日期并按时间顺序"),
    "KS913": Code("--base-url 不是以 http:// 或 https:// 开头的完整网址（不能带查询参数或片段）",
                  "改为网站的根地址，例如 https://legal.example.com"),
    "KS920": Code("协议 ID 与网站的固定页面冲突", "换用其他协议 ID"),
    "KS921": Code("找不到网站配置 mkdocs.yml", "提交 mkdocs.yml"),
    "KS922": Code("mkdocs 未能生成网站（旧网站保持不变）", "检查 mkdocs.yml 与消息中的提示"),
    "KS923": Code("网站输出目录有冲突或无法替换（旧网站保持不变）", "按消息处理，然后重新生成"),
    "KS924": Code("找不到网站的搜索索引", "确认 mkdocs.yml 中启用了 search 插件"),
    "KS925": Code("SLA 目录中的网页锚点重复", "为重复的分类或条目另起 ID"),
    "KS926": Code("改名前的协议 ID 与其他协议或固定页面冲突，旧地址无法跳转", "旧 ID 不能再用于其他协议"),
    "KS928": Code("写入 JSON API 时出错（旧网站保持不变）", "按消息处理，然后重新生成"),
    "KS929": Code("构建缓存中的页面无法读取（旧网站保持不变）", "删除 build/.cache 目录后重新构建"),
    "KS930": Code("本次生成会删除或改变已经发布的版本或日期（旧网站保持不变）", "恢复被改写的历史或发布记录"),
    "KS931": Code("无法读取之前发布的网站", "检查 --previous 给出的目录或网址；第一次发布时加 --first-publication"),
}


def markdown() -> str:
    """The page docs/codes.md: every code by area, what it means and what to do."""
    out = [
        "# 检查代码一览",
        "",
        "<!-- 由 `python -m kspub.codes > docs/codes.md` 生成，请勿手工编辑：改 kspub/codes.py。 -->",
        "",
        "`kspub lint`、`kspub check`、`kspub release`、`kspub build` 等命令报告的每个问题都以 `路径:行号: 代码 说明`",
        "的形式列出。下表按代码说明每个问题的含义和处理方法；标“警告”或“提示”的不阻止合并，其余都是错误。",
        "各项规则的详细说明见 [源文件格式](source-format.md)。",
    ]
    for digit, area in AREAS.items():
        rows = [(code, c) for code, c in CODES.items() if code[2] == digit]
        if not rows:
            continue
        out += ["", f"## KS{digit}xx {area}", "", "| 代码 | 含义 | 怎么办 |", "|---|---|---|"]
        out += [f"| {code} | {c.meaning} | {c.action} |" for code, c in rows]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover - exercised through the docs test
    print(markdown(), end="")
