"""The checklist catalogue from the two seed documents, word for word, and its idempotent loader.

Seed 004 (全市学校安全风险隐患专项整治工作方案): seven categories, 50 numbered items.
Seed 000 (全面开展学校及周边安全排查整改…工作方案): 三、工作内容 1–10 (item 1 with its sub-items
（1）–（3）) and the checks printed on its Attachment 1 (学校及周边安全排查整改情况报表).

The loader only creates what is missing: the city administrator's later edits in the admin are
never overwritten. The data migration ``0003_checklist_catalogue`` calls it; so may a command.
"""

SEED_004_CATEGORIES = [
    ("s004_lab_chemicals", "（一）", '实验室及危险化学品安全', "lab_chemicals", [
        ("1", '实验室安全责任体系是否健全'),
        ("2", '实验室安全运行机制是否完善'),
        ("3", '相关人员的安全管理职责是否明确具体'),
        ("4", '实验室安全宣传教育与准入制度是否严格落实'),
        ("5", '实验室安全个人防护与环境保护、废弃物处置措施是否按规定落实'),
        ("6", '危险源的采购、运输、存储、使用、转移、处置等环节是否做到全过程监管并建立分布档案和使用台帐'),
        ("7", '实验室安全定期检查与安全巡查机制是否建立并有效落实'),
        ("8", '实验室用压力容器、气瓶、生活用锅炉和电梯等特种设备是否向当地特种设备监察机构备案，并依法定期检验、开展安全巡查'),
        ("9", '特种设备操作人员是否做到全部持证上岗'),
    ]),
    ("s004_fire", "（二）", '消防安全', "fire", [
        ("1", '学校建筑物或场所是否依法通过消防验收或消防备案'),
        ("2", '消防设施、器材和消防安全标志是否完好有效并定期维保'),
        ("3", '电气线路、管路敷设是否符合国家标准并定期检测维保'),
        ("4", '消防值班人员是否按规定配备并持证上岗'),
        ("5", '防火检查、巡查是否做到定期开展'),
        ("6", '电动自行车违规停放充电现象是否存在'),
        ("7", '电气火灾隐患是否及时整改'),
        ("8", '疏散通道是否畅通'),
        ("9", '消防重点单位是否按要求建立微型消防站'),
    ]),
    ("s004_security", "（三）", '治安防控', "security", [
        ("1", '学校是否按规定配备专业保安和安全管理人员'),
        ("2", '警务室（门卫室）物防设施是否齐备'),
        ("3", '一键报警装置是否按规定安装'),
        ("4", '学校门前是否设置硬质防冲撞设施'),
        ("5", '校园视频监控是否实现全覆盖'),
        ("6", '校园及周边综合治理是否有力有效'),
        ("7", '“护学岗”是否按要求设立'),
        ("8", '校园安全会商研判、定期通报、联合整治、联动处置机制是否建立'),
        ("9", '学校组织的大型活动是否按规定落实相关安全防范措施'),
    ]),
    ("s004_food", "（四）", '食品安全', "food", [
        ("1", '学校食品安全校长（园长）负责制是否全面落实'),
        ("2", '食品安全管理的制度是否健全并有效落实'),
        ("3", '食品安全隐患排查是否做到定期开展'),
        ("4", '食品采购追溯体系是否建立'),
        ("5", '食品安全的全过程监管是否落实'),
        ("6", '陪餐制度是否按规定落实'),
    ]),
    ("s004_bus_traffic", "（五）", '校车及交通安全', "bus_traffic", [
        ("1", '拼装车、三轮车、农用车等非法接送学生现象是否存在'),
        ("2", '相关部门是否定期开展非法接送学生车辆整治'),
        ("3", '校车是否按审核确认的线路行驶且行经线路无危桥、危险路段'),
        ("4", '校车是否安装随车视频采集设备且无超速超载问题'),
        ("5", '上学放学高峰期间校门口交通是否有序'),
        ("6", '校园内交通管理是否有序、安全'),
        ("7", '学校组织的师生集体外出活动是否经严格审批并落实相关安全防范措施'),
    ]),
    ("s004_building", "（六）", '建筑与施工安全', "building", [
        ("1", '学校建筑安全状况是否定期开展排查监测'),
        ("2", '违规使用D级危房或存在危险房屋的问题是否存在'),
        ("3", '对低洼地带、地质灾害点、易滑坡地段、易遭受雷击、基础沉陷等区域是否采取了有效的预防措施'),
        ("4", '学校在建项目施工场所是否严格实行隔离管理，落实安全管理措施'),
        ("5", '应对极端天气、旱涝灾害机制措施是否健全完善'),
    ]),
    ("s004_internship", "（七）", '实习实训安全', "internship", [
        ("1", '学校和实习实训单位是否对实习学生进行必要的安全教育'),
        ("2", '学校和实习实训单位是否严格执行国家和地方安全生产及职业卫生有关规定'),
        ("3", '学校是否督促指导实习实训单位健全安全生产责任制，严格执行相关安全生产标准，健全安全生产规章制度和操作规程'),
        ("4", '实习实训单位是否按规定制定安全生产事故应急救援预案'),
        ("5", '实习实训单位是否配备必要的安全保障器材和劳动保护用品'),
    ]),
]

# 三、工作内容: (number, text, hazard category, sub-items)
SEED_000_WORK_ITEMS = [
    ('1', '按照教育部、公安部校园安全防范工作规范和安防国家标准及省政府办公厅关于加强中小学幼儿园安全风险防控体系建设的实施意见要求，逐校检查人防、物防、技防建设情况。\n要运用大数据技术、信息化手段，不断提高学校安全管理工作科学化水平。', 'security', [
        ('（1）', '强化校内日常安全管理，加强假期值班巡查，健全门卫、巡查、隐患排查制度。', 'security'),
        ('（2）', '按照相关标准配齐配强安全保卫人员，完善视频监控、一键报警、隔离栏、升降柱等安防设施建设。', 'security'),
        ('（3）', '加强消防安全管理，持续开展电气火灾安全综合治理，严格落实危险化学品安全管理措施。', 'fire'),
    ]),
    ('2', '把校园周边综合治理和扫黑除恶专项斗争有机结合起来，推动建立防范黑恶势力侵害校园的工作机制，严打涉校违法犯罪，及时整治校园周边治安乱点。以校园周边社区矫正人员、刑释解教人员、易肇事肇祸人员等为重点人群，以校园周边中小旅馆、商店、出租房屋等为重点部位，逐区域筛查，检查重点人、重点事、重点场所的安全防控措施落实情况。', 'surroundings', [
    ]),
    ('3', '通过多种渠道及时掌握学生非正常死亡、食堂伙食、教学管理等涉及师生切身利益问题引发的不稳定因素，提前纳入视线，加强研判分析。', 'stability', [
    ]),
    ('4', '会同学校及周边治安综合治理成员单位，加大对校园周边违法经营行为查处力度。', 'surroundings', [
    ]),
    ('5', '深化校车、接送学校车辆安全隐患排查整治，大力整改学校周边道路交通安全隐患，要特别对学校校门存在出行道路不畅等问题会同有关部门研究解决，新建学校要充分考虑到校门出行道路畅通等情况。', 'bus_traffic', [
    ]),
    ('6', '加强对校园周边互联网上网服务营业场所、娱乐场所监管，确保校园周边环境有序。', 'surroundings', [
    ]),
    ('7', '强化校园周边防范措施，推进校地、校警、校群联运联防联治。公安机关要全面落实校园周边“高峰勤务”、“护学岗”制度，充分发挥校园周边警务室、治安岗亭的作用，加强校园周边巡逻守护，统筹整合警力资源，提高上下学重点时段校园周边见警率。', 'surroundings', [
    ]),
    ('8', '组织社会力量共同参与做好校园安全防范工作，形成驻点守护、周边巡逻相结合的立体防控网络，确保一旦发生涉校警情能够提前预警，及时处置。', 'security', [
    ]),
    ('9', '结合今年部署的“平安校园行”主题宣传活动，将提高学生安全意识和自我防护能力作为素质教育的重要内容，着力提高安全教育的针对性和实效性。学校要根据学生群体和年龄特点，有针对性地开展安全专题教育，普及安全知识，讲解安全防范常识和安全技能。加强防溺水教育，定期组织防火、防爆、防灾、防不法侵害等应急疏散演练，增强学生自救互救、防灾避险能力，最大限度减少和避免伤亡事件发生。主动教育引导学生不在人流密集、道路狭窄、空间闭塞等区域作过长时间停留，增强学生自我防护意识。加强学生思想道德、心理健康教育及辅导员队伍建设，发挥公安民警担任学生法制辅导员的作用，重点开展防学生沉迷网络、防校园欺凌、防宗教渗透、防传销及禁赌禁毒方面的宣传教育，提高学生自觉守法、抵御不良侵蚀的意识和能力。', 'other', [
    ]),
    ('10', '加强师生团队活动安全管理，督促活动组织单位和带队负责人严格落实安全防范措施，确保各类旅游、演出、比赛和游学、拓展训练等安全活动。', 'other', [
    ]),
]
# 附件1's checks, as the form prints them: (text, hazard category, sub-items)
SEED_000_FORM_CHECKS = [
    ('是否成立工作专班', 'security', []),
    ('学校假期是否有值班表', 'security', []),
    ('领导是否带班', 'security', []),
    ('门卫、巡查、隐患排查制度是否健全', 'security', []),
    ('视频监控保存天数是否达30天', 'security', []),
    ('围墙周界有无防入侵报警系统', 'security', []),
    ('重点要害部位有无防入侵报警', 'security', []),
    ('一键报警有无', 'security', ['门卫', '学生宿舍（无宿舍填“/”）']),
    ('技防系统是否全部正常运行', 'security', []),
    ('隔离栏有无', 'security', []),
    ('硬质防冲撞设施有无', 'security', []),
    ('升降柱有无', 'security', []),
    ('是否开展电气火灾安全综合治理', 'fire', []),
    ('电器火灾隐患整改情况', 'fire', []),
    ('危险化学品安全管理三防措施是否落实', 'lab_chemicals', []),
    ('校园周边治安乱点情况', 'surroundings', []),
    ('涉校不稳定因素情况', 'stability', []),
    ('校车等安全隐患情况（无校车等用“/”）', 'bus_traffic', []),
    ('假期学生安全教育情况', 'other', []),
    ('安全是否由校级领导直接负责', 'other', []),
]

WORK_ITEMS_CATEGORY = ("s000_work", "三", "工作内容", "security")
FORM_CHECKS_CATEGORY = ("s000_form", "附件1", "学校及周边安全排查整改情况报表", "security")


def load_catalogue(ChecklistCategory, ChecklistItem) -> int:
    """Create the seed catalogue's categories and items that do not exist yet; return how many items were created.

    Takes the model classes so that a data migration can pass its historical models.
    """
    created = 0

    def category(code, number, name, hazard_category, source, position):
        obj, _ = ChecklistCategory.objects.get_or_create(
            code=code,
            defaults={"number": number, "name": name, "hazard_category": hazard_category, "source": source,
                      "position": position},
        )
        return obj

    def item(cat, number, text, hazard_category, position, parent=None):
        nonlocal created
        obj, was_created = ChecklistItem.objects.get_or_create(
            category=cat, parent=parent, number=number,
            defaults={"text": text, "hazard_category": hazard_category, "position": position},
        )
        created += was_created
        return obj

    for position, (code, number, name, hazard_category, items) in enumerate(SEED_004_CATEGORIES, start=1):
        cat = category(code, number, name, hazard_category, "seed_004", position)
        for i, (n, text) in enumerate(items, start=1):
            item(cat, n, text, "", i)

    code, number, name, hazard_category = WORK_ITEMS_CATEGORY
    cat = category(code, number, name, hazard_category, "seed_000", 1)
    for i, (n, text, hc, subs) in enumerate(SEED_000_WORK_ITEMS, start=1):
        parent = item(cat, n, text, hc, i)
        for j, (sn, stext, shc) in enumerate(subs, start=1):
            item(cat, sn, stext, shc, j, parent=parent)

    code, number, name, hazard_category = FORM_CHECKS_CATEGORY
    cat = category(code, number, name, hazard_category, "seed_000", 2)
    for i, (text, hc, subs) in enumerate(SEED_000_FORM_CHECKS, start=1):
        parent = item(cat, str(i), text, hc, i)
        for j, stext in enumerate(subs, start=1):
            item(cat, f"（{j}）", stext, hc, j, parent=parent)
    return created
