"""Interface strings in Chinese and English, shared by the map, the app and the exports."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("重庆现代服务业规划地图集", "Chongqing Service Atlas"),
    "app_subtitle": ("五份规划（2019—2026）中的空间格局、重点集聚区与目标", "Spatial frameworks, named sites and targets of five plans (2019–2026)"),
    "filters": ("筛选", "Filters"),
    "sector": ("行业", "Sector"),
    "sectors": ("行业", "Sectors"),
    "all_sectors": ("全部行业", "All sectors"),
    "horizon": ("规划期", "Time horizon"),
    "horizon_all": ("全部", "All"),
    "horizon_help": (
        "某一规划期：显示以该年为目标年的规划条款所提及的集聚区和指标。",
        "A horizon shows the sites and targets that a plan clause with that target year names.",
    ),
    "framework": ("空间格局", "Spatial framework"),
    "plan": ("规划文件", "Plan"),
    "all_plans": ("全部规划", "All plans"),
    "category": ("类别", "Category"),
    "all_categories": ("全部类别", "All categories"),
    "area": ("区县 / 片区", "District / zone"),
    "whole_city": ("全市", "Whole city"),
    "search": ("搜索名称", "Search names"),
    "search_placeholder": ("中文名、英文名或别名", "Chinese, English name or alias"),
    "basemap": ("底图", "Basemap"),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_light": ("浅色底图", "Light"),
    "basemap_gaode": ("高德（GCJ-02）", "Gaode / Amap (GCJ-02)"),
    "basemap_none": ("无底图", "None"),
    "language": ("语言", "Language"),
    "districts": ("区县", "Districts"),
    "zones": ("片区", "Zones"),
    "sites": ("集聚区", "Sites"),
    "centres": ("区域性服务业中心城市", "Regional service-centre cities"),
    "legend": ("图例", "Legend"),
    "name": ("名称", "Name"),
    "district": ("区县", "District"),
    "zone": ("片区", "Zone"),
    "precision": ("位置精度", "Location precision"),
    "location_method": ("定位依据", "How located"),
    "functions": ("规划功能", "Planned functions"),
    "role": ("定位", "Role"),
    "source": ("出处", "Source"),
    "targets": ("目标指标", "Targets"),
    "linked_targets": ("相关目标", "Linked targets"),
    "site_count": ("集聚区数", "Sites"),
    "members_named": ("文件点名", "named in the plan"),
    "members_conventional": ("按惯例划定", "by convention"),
    "no_results": ("没有符合筛选条件的集聚区。请放宽筛选条件。", "No site matches these filters. Loosen a filter to see more."),
    "shown_count": ("显示 {n} 个集聚区（共 {total} 个）", "Showing {n} of {total} sites"),
    "not_drawn": ("{n} 个位置不详，未上图", "{n} with unknown location, not drawn"),
    "table": ("集聚区列表", "Sites table"),
    "summary": ("区县 / 片区行业汇总", "District / zone summary by sector"),
    "compare": ("对比", "Compare"),
    "compare_horizons": ("两个规划期", "Two horizons"),
    "compare_frameworks": ("两个空间格局", "Two frameworks"),
    "map": ("地图", "Map"),
    "open_map": ("在新窗口打开地图", "Open the map on its own"),
    "export": ("导出当前视图：", "Export this view:"),
    "trajectory": ("指标轨迹", "Indicator trajectory"),
    "baseline": ("基数", "Baseline"),
    "target": ("目标", "Target"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "unknown_param": ("已忽略未知参数：{name}", "Ignored unknown parameter: {name}"),
    "bad_value": ("参数 {name} 的值无效：{value}，已改用默认值", "Invalid value for {name}: {value}; using the default"),
    "datum_note": ("坐标：WGS-84；高德底图时矢量图层转换为 GCJ-02", "Coordinates WGS-84; shifted to GCJ-02 over the Gaode basemap"),
    "precision_exact": ("精确（≤200米）", "exact (≤200 m)"),
    "precision_approx_2km": ("近似（≤2公里）", "approximate (≤2 km)"),
    "precision_approx_10km": ("近似（≤10公里）", "approximate (≤10 km)"),
    "precision_district_centroid": ("区县代表点（具体位置不详）", "district representative point (exact place unknown)"),
    "precision_unknown": ("位置不详", "location unknown"),
}


def t(key: str, lang: str, **fmt: object) -> str:
    """Return the interface string ``key`` in ``lang`` ("zh" or "en"), formatted with ``fmt``."""
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def pick(zh: str, en: str, lang: str) -> str:
    """Choose between a record's Chinese and English text."""
    return zh if lang == "zh" else en
